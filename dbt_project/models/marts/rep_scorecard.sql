{#
    One row per owner, month and configured scorecard measure, for every owner (archived ones
    included) and month with any activity: a deal created, won or lost (sales_kpis_monthly) or an
    engagement (int_rep_activity_daily). Activity with no owner is not scored.
    points = weight × actual; attainment = actual / benchmark.
#}

with

kpis as (
    select * from {{ ref('sales_kpis_monthly') }}
),

daily_activity as (
    select * from {{ ref('int_rep_activity_daily') }}
),

measures as (
    select * from {{ ref('stg_salesmetrics_config__scorecard_measures') }}
),

owner_kpis as (
    select month, owner_id, {{ scorecard_deal_measures() | join(', ') }}
    from kpis
    where not is_team_total
        and owner_id is not null
),

monthly_activity as (
    select
        cast(date_trunc('month', activity_date) as date) as month,
        owner_id,
        {%- for measure in activity_measures() %}
        cast(sum({{ measure }}) as bigint) as {{ measure }},
        {%- endfor %}
        count(*) as active_days
    from daily_activity
    where owner_id is not null
    group by 1, 2
),

owner_months as (
    select
        month,
        owner_id
    from owner_kpis
    union
    select
        month,
        owner_id
    from monthly_activity
),

actuals as (
    select
        {%- for measure in scorecard_deal_measures() %}
        coalesce(owner_kpis.{{ measure }}, 0) as {{ measure }},
        {%- endfor %}
        {%- for measure in activity_measures() %}
        coalesce(monthly_activity.{{ measure }}, 0) as {{ measure }},
        {%- endfor %}
        owner_months.month,
        owner_months.owner_id
    from owner_months
    left join owner_kpis
        on owner_months.month = owner_kpis.month
        and owner_months.owner_id = owner_kpis.owner_id
    left join monthly_activity
        on owner_months.month = monthly_activity.month
        and owner_months.owner_id = monthly_activity.owner_id
    where owner_months.month <= {{ as_of_month() }}
),

scored as (
    select
        actuals.month,
        actuals.owner_id,
        measures.measure,
        cast(case measures.measure
            {%- for measure in scorecard_deal_measures() + activity_measures() %}
            when '{{ measure }}' then actuals.{{ measure }}
            {%- endfor %}
        end as double) as actual,
        measures.benchmark,
        measures.weight
    from actuals
    cross join measures
),

final as (
    select
        month,
        owner_id,
        measure,
        actual,
        benchmark,
        {{ safe_divide('actual', 'benchmark') }} as attainment,
        weight,
        weight * actual as points
    from scored
)

select * from final
