{#
    One row per owner and quota period [period_start, period_end) (int_quotas) that has started by
    the as-of date. deal_attainment = deals won / quota_deals, revenue_attainment = won amount /
    quota_revenue: won deals of the owner by local close date in [period_start, period_end), up to
    the as-of date. A period with no wins has attainment 0.0; a missing quota gives NULL.
#}

with

quotas as (
    select * from {{ ref('int_quotas') }}
),

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

active_quotas as (
    select * from quotas
    where
        period_end > period_start
        and period_start <= {{ as_of_date() }}
),

won_deals as (
    select
        deal_id,
        owner_id,
        closed_date,
        amount
    from deals
    where
        is_won
        and owner_id is not null
        and closed_date <= {{ as_of_date() }}
),

actuals as (
    select
        active_quotas.owner_id,
        active_quotas.period_start,
        active_quotas.period_end,
        count(won_deals.deal_id) as deals_won,
        coalesce({{ exact_sum('coalesce(won_deals.amount, 0)') }}, 0) as won_amount
    from active_quotas
    left join won_deals
        on
        active_quotas.owner_id = won_deals.owner_id
        and active_quotas.period_start <= won_deals.closed_date
        and active_quotas.period_end > won_deals.closed_date
    group by 1, 2, 3
),

final as (
    select
        active_quotas.period_start,
        active_quotas.period_end,
        active_quotas.owner_id,
        active_quotas.quota_deals,
        actuals.deals_won,
        {{ safe_divide('actuals.deals_won', 'active_quotas.quota_deals') }} as deal_attainment,
        active_quotas.quota_revenue,
        cast(actuals.won_amount as double) as won_amount,
        {{ safe_divide('actuals.won_amount', 'active_quotas.quota_revenue') }} as revenue_attainment,
        -- extra columns (not in the contract list; safe to add)
        active_quotas.quota_source,
        active_quotas.period_end <= {{ as_of_date() }} + 1 as is_period_complete
    from active_quotas
    inner join actuals
        on
        active_quotas.owner_id = actuals.owner_id
        and active_quotas.period_start = actuals.period_start
        and active_quotas.period_end = actuals.period_end
)

select * from final
