{#
    One row per local month and owner (NULL included) with any deal closed or created in it, plus a
    team row (owner_id NULL, is_team_total) for every month from the first deal month to the as-of
    month. Won and lost deals count by close month, every deal (open, won or lost) as an
    opportunity in its create month, up to the as-of date. win_rate = won / (won + lost);
    avg_deal_size = won amount / deals won; arpa = won amount of the deals with an account / their
    distinct accounts; avg_profit_per_deal and profit_margin = sum(amount - cost) / count and
    / sum(amount) over the won deals that have a cost; sales cycle = mean days from create to close.
#}

{%- set cycle_ms = 'round(sales_cycle_days * 86400000)' %}

with

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

deal_events as (
    -- a won or lost deal counts in its close month, every deal in its create month (as an opportunity)
    select
        closed_month as month,
        owner_id,
        deal_id,
        true as is_close,
        is_won,
        is_lost,
        amount,
        account_id,
        cost_of_fulfillment,
        sales_cycle_days
    from deals
    where
        is_closed
        and closed_date <= {{ as_of_date() }}
    union all
    select
        created_month as month,
        owner_id,
        deal_id,
        false as is_close,
        false as is_won,
        false as is_lost,
        amount,
        account_id,
        cost_of_fulfillment,
        sales_cycle_days
    from deals
    where created_date <= {{ as_of_date() }}
),

months as (
    select month
    from {{ month_spine('(select min(month) from deal_events)', as_of_month()) }}
),

owner_rows as (
    -- every owner (NULL included) and month with a deal event
    select
        deal_events.*,
        false as is_team_total
    from deal_events
),

team_rows as (
    -- every month of the spine, with every deal event of the month (none: one empty row)
    select
        deal_events.* replace (months.month as month, cast(null as varchar) as owner_id),
        true as is_team_total
    from months
    left join deal_events on months.month = deal_events.month
),

kpi_rows as (
    select * from owner_rows
    union all by name
    select * from team_rows
),

sums as (
    select
        month,
        owner_id,
        is_team_total,
        count(*) filter (where is_won) as deals_won,
        count(*) filter (where is_lost) as deals_lost,
        coalesce({{ exact_sum('amount') }} filter (where is_won), 0) as won_amount,
        coalesce({{ exact_sum('amount') }} filter (where is_won and account_id is not null), 0)
            as won_amount_with_account,
        count(distinct account_id) filter (where is_won) as won_accounts,
        count(*) filter (where is_won and cost_of_fulfillment is not null) as won_deals_with_cost,
        coalesce(
            {{ exact_sum('coalesce(amount, 0) - cost_of_fulfillment') }}
            filter (where is_won and cost_of_fulfillment is not null),
            0
        ) as won_profit_with_cost,
        coalesce(
            {{ exact_sum('coalesce(amount, 0)') }} filter (where is_won and cost_of_fulfillment is not null), 0
        ) as won_amount_with_cost,
        -- sales cycles in exact integer milliseconds, for the averages
        {{ exact_sum(cycle_ms, scale=0, precision=38) }} filter (where is_close) as closed_cycle_ms,
        count(sales_cycle_days) filter (where is_close) as closed_with_cycle,
        {{ exact_sum(cycle_ms, scale=0, precision=38) }} filter (where is_won) as won_cycle_ms,
        count(sales_cycle_days) filter (where is_won) as won_with_cycle,
        count(deal_id) filter (where not is_close) as opportunities_created,
        -- a deal with no amount counts 0
        coalesce({{ exact_sum('coalesce(amount, 0)') }} filter (where not is_close), 0) as pipeline_created_amount
    from kpi_rows
    group by month, owner_id, is_team_total
),

final as (
    select
        month,
        owner_id,
        is_team_total,
        deals_won,
        deals_lost,
        {{ safe_divide('deals_won', 'deals_won + deals_lost') }} as win_rate,
        cast(won_amount as double) as won_amount,
        {{ safe_divide('won_amount', 'deals_won') }} as avg_deal_size,
        {{ safe_divide('won_amount_with_account', 'won_accounts') }} as arpa,
        {{ safe_divide('won_profit_with_cost', 'won_deals_with_cost') }} as avg_profit_per_deal,
        {{ safe_divide('closed_cycle_ms', 'closed_with_cycle * 86400000.0') }} as avg_sales_cycle_days,
        {{ safe_divide('won_cycle_ms', 'won_with_cycle * 86400000.0') }} as avg_won_cycle_days,
        opportunities_created,
        cast(pipeline_created_amount as double) as pipeline_created_amount,
        -- extra columns (not in the contract list; safe to add)
        {{ safe_divide('won_profit_with_cost', 'won_amount_with_cost') }} as profit_margin,
        won_accounts,
        won_deals_with_cost
    from sums
)

select * from final
