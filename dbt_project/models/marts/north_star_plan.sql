{#
    One row per configured revenue-target period [period_start, period_end): the playbook's "north
    star" plan. From the trailing 12 months of closed deals (ending at the as-of date, or at the
    period end if earlier): average deal size and win rate, hence deals and opportunities needed;
    then progress (won to date against the target prorated by elapsed days) and the lead indicator
    pipeline coverage (probability-weighted open pipeline / remaining target), NULL once the period
    has ended. A plan for new sales: every deal it counts (won, lost, open) has one of the
    configured deal types (`north_star.deal_types`, default new business: `newbusiness` or none).
#}

with

targets as (
    select * from {{ ref('stg_salesmetrics_config__revenue_targets') }}
),

deal_types as (
    select * from {{ ref('stg_salesmetrics_config__north_star_deal_types') }}
),

deals as (
    select deals.*
    from {{ ref('int_deals_enriched') }} as deals
    inner join deal_types
        on deal_types.deal_type_key is not distinct from lower(nullif(trim(deals.deal_type), ''))
),

stage_at_as_of as (
    select * from {{ ref('int_deal_stage_entries') }}
    where is_stage_at_as_of
),

open_at_as_of as (
    -- deals open at the as-of date: created by then and not closed by then (a deal closed since
    -- was still open), weighted by the probability of the stage it was in at the as-of date
    select
        deals.deal_id,
        deals.amount,
        deals.closed_date,
        case
            when stage_at_as_of.is_current_stage then deals.stage_probability
            when stage_at_as_of.deal_id is not null then stage_at_as_of.stage_probability
            -- no known stage at the as-of date: an open deal keeps its current probability; a deal
            -- closed since, with no history, is unknown and weighs nothing (never its outcome)
            when deals.outcome = 'open' then deals.stage_probability
        end as stage_probability
    from deals
    left join stage_at_as_of on deals.deal_id = stage_at_as_of.deal_id
    where deals.created_date <= {{ as_of_date() }}
        and (deals.outcome = 'open' or deals.closed_date > {{ as_of_date() }})
),

periods as (
    select
        period_start,
        period_end,
        revenue_target,
        -- first day not counted: the day after the as-of date, or the period end if earlier
        least({{ as_of_date() }} + 1, period_end) as to_date_end,
        cast(least({{ as_of_date() }} + 1, period_end) - interval 12 month as date) as window_start,
        least({{ as_of_date() }} + 1, period_end) as window_end,
        period_end - period_start as period_days,
        -- the period has ended when its last day is on or before the as-of date
        period_end <= {{ as_of_date() }} + 1 as is_period_complete,
        -- days of the period up to and including the as-of date (0 before it starts)
        greatest(least({{ as_of_date() }} + 1, period_end) - period_start, 0) as elapsed_days
    from targets
    where period_end > period_start
),

trailing_window as (
    select
        periods.period_start,
        periods.period_end,
        count(deals.deal_id) filter (where deals.is_won) as trailing_deals_won,
        count(deals.deal_id) filter (where deals.is_lost) as trailing_deals_lost,
        coalesce({{ exact_sum('coalesce(deals.amount, 0)') }} filter (where deals.is_won), 0) as trailing_won_amount
    from periods
    left join deals
        on deals.is_closed
        and deals.closed_date >= periods.window_start
        and deals.closed_date < periods.window_end
    group by 1, 2
),

to_date as (
    select
        periods.period_start,
        periods.period_end,
        coalesce({{ exact_sum('coalesce(deals.amount, 0)') }}, 0) as won_to_date
    from periods
    left join deals
        on deals.is_won
        and deals.closed_date >= periods.period_start
        and deals.closed_date < periods.to_date_end
    group by 1, 2
),

open_pipeline as (
    -- deals open at the as-of date that can still close in the period
    -- (close date, expected or actual, before the period end, or none)
    select
        periods.period_start,
        periods.period_end,
        coalesce(
            {{ exact_sum('round(coalesce(open_at_as_of.amount, 0) * coalesce(open_at_as_of.stage_probability, 0), 2)')
            }},
            0
        ) as weighted_open_pipeline
    from periods
    left join open_at_as_of
        on open_at_as_of.closed_date is null
        or open_at_as_of.closed_date < periods.period_end
    group by 1, 2
),

joined as (
    select
        periods.*,
        trailing_window.trailing_deals_won,
        trailing_window.trailing_deals_lost,
        trailing_window.trailing_won_amount,
        {{ safe_divide('trailing_window.trailing_won_amount', 'trailing_window.trailing_deals_won') }} as avg_deal_size,
        {{ safe_divide(
            'trailing_window.trailing_deals_won',
            'trailing_window.trailing_deals_won + trailing_window.trailing_deals_lost'
        ) }} as win_rate,
        to_date.won_to_date,
        open_pipeline.weighted_open_pipeline
    from periods
    inner join trailing_window
        on periods.period_start = trailing_window.period_start and periods.period_end = trailing_window.period_end
    inner join to_date
        on periods.period_start = to_date.period_start and periods.period_end = to_date.period_end
    inner join open_pipeline
        on periods.period_start = open_pipeline.period_start and periods.period_end = open_pipeline.period_end
),

needs as (
    select
        *,
        -- ceil of a quotient: rounded to 9 places first so that 50.000000000001 does not become 51
        cast(ceil(round({{ safe_divide('revenue_target', 'avg_deal_size') }}, 9)) as bigint) as deals_needed,
        {{ safe_divide('revenue_target * elapsed_days', 'period_days') }} as expected_to_date,
        revenue_target - cast(won_to_date as double) as remaining_target
    from joined
),

final as (
    select
        period_start,
        period_end,
        revenue_target,
        avg_deal_size,
        win_rate,
        deals_needed,
        cast(ceil(round({{ safe_divide('deals_needed', 'win_rate') }}, 9)) as bigint) as opportunities_needed,
        cast(won_to_date as double) as won_to_date,
        expected_to_date,
        {{ safe_divide('won_to_date', 'expected_to_date') }} as pace,
        -- a lead indicator looks forward: nothing is left to cover once the period has ended
        case
            when not is_period_complete and remaining_target > 0
                then {{ safe_divide('weighted_open_pipeline', 'remaining_target') }}
        end as pipeline_coverage,
        -- extra columns (not in the contract list; safe to add)
        is_period_complete,
        window_start,
        window_end,
        trailing_deals_won,
        trailing_deals_lost,
        cast(trailing_won_amount as double) as trailing_won_amount,
        period_days,
        elapsed_days,
        remaining_target,
        cast(weighted_open_pipeline as double) as weighted_open_pipeline
    from needs
)

select * from final
