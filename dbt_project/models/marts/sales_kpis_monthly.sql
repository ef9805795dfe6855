with

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

closed_deals as (
    -- won and lost deals, by close date (local), up to the as-of date
    select * from deals
    where is_closed
      and closed_date <= {{ as_of_date() }}
),

created_deals as (
    -- every deal (open, won or lost), by createdate (local), up to the as-of date
    select * from deals
    where created_date <= {{ as_of_date() }}
),

closed_metrics as (
    -- grouping sets: one row per month and owner (NULL owner included) and one team row per month
    select
        closed_month as month,
        owner_id,
        grouping(owner_id) = 1 as is_team_total,
        count(*) filter (where is_won) as deals_won,
        count(*) filter (where is_lost) as deals_lost,
        sum(amount::decimal(18, 2)) filter (where is_won) as won_amount,
        sum(amount::decimal(18, 2)) filter (where is_won and account_id is not null) as won_amount_with_account,
        count(distinct account_id) filter (where is_won) as won_accounts,
        count(*) filter (where is_won and cost_of_fulfillment is not null) as won_deals_with_cost,
        sum((coalesce(amount, 0) - cost_of_fulfillment)::decimal(18, 2))
            filter (where is_won and cost_of_fulfillment is not null) as won_profit_with_cost,
        sum(coalesce(amount, 0)::decimal(18, 2))
            filter (where is_won and cost_of_fulfillment is not null) as won_amount_with_cost,
        -- averages over exact integer milliseconds: a floating-point sum depends on the order
        -- DuckDB's parallel aggregation happens to use, and a rebuild must give the same marts
        {{ safe_divide('sum(round(sales_cycle_days * 86400000)::hugeint)', 'count(sales_cycle_days) * 86400000.0') }}
            as avg_sales_cycle_days,
        {{ safe_divide('sum(round(sales_cycle_days * 86400000)::hugeint) filter (where is_won)',
                       'count(sales_cycle_days) filter (where is_won) * 86400000.0') }} as avg_won_cycle_days
    from closed_deals
    group by grouping sets ((closed_month, owner_id), (closed_month))
),

created_metrics as (
    select
        created_month as month,
        owner_id,
        grouping(owner_id) = 1 as is_team_total,
        count(*) as opportunities_created,
        -- a deal with no amount counts 0
        sum(coalesce(amount, 0)::decimal(18, 2)) as pipeline_created_amount
    from created_deals
    group by grouping sets ((created_month, owner_id), (created_month))
),

months as (
    -- every month from the first deal month to the as-of month, no gaps
    select cast(unnest({{ month_series('first_month', as_of_month()) }}) as date) as month
    from (
        select min(month) as first_month
        from (
            select month from closed_metrics
            union all
            select month from created_metrics
        )
    )
),

row_keys as (
    -- team rows for every month; owner rows where the owner has any deal activity
    select month, cast(null as varchar) as owner_id, true as is_team_total
    from months
    union
    select month, owner_id, false as is_team_total
    from closed_metrics
    where not is_team_total
    union
    select month, owner_id, false as is_team_total
    from created_metrics
    where not is_team_total
),

joined as (
    select
        row_keys.month,
        row_keys.owner_id,
        row_keys.is_team_total,
        coalesce(closed_metrics.deals_won, 0) as deals_won,
        coalesce(closed_metrics.deals_lost, 0) as deals_lost,
        coalesce(closed_metrics.won_amount, 0) as won_amount,
        coalesce(closed_metrics.won_amount_with_account, 0) as won_amount_with_account,
        coalesce(closed_metrics.won_accounts, 0) as won_accounts,
        coalesce(closed_metrics.won_deals_with_cost, 0) as won_deals_with_cost,
        coalesce(closed_metrics.won_profit_with_cost, 0) as won_profit_with_cost,
        coalesce(closed_metrics.won_amount_with_cost, 0) as won_amount_with_cost,
        closed_metrics.avg_sales_cycle_days,
        closed_metrics.avg_won_cycle_days,
        coalesce(created_metrics.opportunities_created, 0) as opportunities_created,
        coalesce(created_metrics.pipeline_created_amount, 0) as pipeline_created_amount
    from row_keys
    left join closed_metrics
        on row_keys.month = closed_metrics.month
        and row_keys.is_team_total = closed_metrics.is_team_total
        and row_keys.owner_id is not distinct from closed_metrics.owner_id
    left join created_metrics
        on row_keys.month = created_metrics.month
        and row_keys.is_team_total = created_metrics.is_team_total
        and row_keys.owner_id is not distinct from created_metrics.owner_id
    where row_keys.month <= {{ as_of_month() }}
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
        {{ safe_divide('won_profit_with_cost', 'won_amount_with_cost') }} as profit_margin_pct,
        avg_sales_cycle_days,
        avg_won_cycle_days,
        opportunities_created,
        cast(pipeline_created_amount as double) as pipeline_created_amount,
        -- extra columns (not in the contract list; safe to add)
        {{ safe_divide('won_profit_with_cost', 'won_amount_with_cost') }} as profit_margin,
        won_accounts,
        won_deals_with_cost
    from joined
)

select * from final
