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
    select month, owner_id, opportunities_created, deals_won, won_amount
    from kpis
    where not is_team_total
      and owner_id is not null
),

monthly_activity as (
    select
        cast(date_trunc('month', activity_date) as date) as month,
        owner_id,
        sum(meetings_booked)::bigint as meetings_booked,
        sum(connected_calls)::bigint as connected_calls,
        sum(calls)::bigint as calls,
        sum(emails_sent)::bigint as emails_sent,
        sum(tasks_completed)::bigint as tasks_completed,
        sum(notes)::bigint as notes
    from daily_activity
    where owner_id is not null
    group by 1, 2
),

owner_months as (
    select month, owner_id from owner_kpis
    union
    select month, owner_id from monthly_activity
),

actuals as (
    select
        owner_months.month,
        owner_months.owner_id,
        coalesce(owner_kpis.opportunities_created, 0) as opportunities_created,
        coalesce(owner_kpis.deals_won, 0) as deals_won,
        coalesce(owner_kpis.won_amount, 0) as won_amount,
        coalesce(monthly_activity.meetings_booked, 0) as meetings_booked,
        coalesce(monthly_activity.connected_calls, 0) as connected_calls,
        coalesce(monthly_activity.calls, 0) as calls,
        coalesce(monthly_activity.emails_sent, 0) as emails_sent,
        coalesce(monthly_activity.tasks_completed, 0) as tasks_completed,
        coalesce(monthly_activity.notes, 0) as notes
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
            when 'opportunities_created' then actuals.opportunities_created
            when 'deals_won' then actuals.deals_won
            when 'won_amount' then actuals.won_amount
            when 'meetings_booked' then actuals.meetings_booked
            when 'connected_calls' then actuals.connected_calls
            when 'calls' then actuals.calls
            when 'emails_sent' then actuals.emails_sent
            when 'tasks_completed' then actuals.tasks_completed
            when 'notes' then actuals.notes
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
