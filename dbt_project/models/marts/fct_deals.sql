{#
    One row per live deal (archived and merged-away deals excluded): the deal fact for BI, with its
    owner, account, pipeline and stage, outcome (stage metadata), money in the home currency,
    timestamps and local periods, sales cycle, and the ARR of its contract (won deals with an
    account, closed by the as-of date).
#}

with

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

contracts as (
    select * from {{ ref('int_contracts') }}
),

final as (
    select
        ----------  ids
        deals.deal_id,
        deals.owner_id,
        deals.account_id,
        deals.primary_company_id,
        deals.pipeline_id,
        deals.deal_stage_id,

        ---------- text
        deals.deal_name,
        deals.deal_type,
        deals.deal_stage_label,
        deals.outcome,
        deals.currency_code,

        ---------- booleans
        deals.is_won,
        deals.is_lost,
        deals.is_closed,
        deals.has_outcome_mismatch,
        -- the record is shown as it is now; these say what the as-of date's marts saw of it
        deals.created_date > {{ as_of_date() }} as is_created_after_as_of,
        deals.is_closed and deals.closed_date > {{ as_of_date() }} as is_closed_after_as_of,

        ---------- money (home currency unless named otherwise)
        deals.amount,
        deals.amount_deal_currency,
        deals.currency_factor,
        deals.cost_of_fulfillment,
        deals.amount - deals.cost_of_fulfillment as profit,
        deals.stage_probability,
        case when deals.outcome = 'open' then deals.amount * deals.stage_probability end as weighted_amount,

        ---------- timestamps (naive UTC)
        deals.created_at,
        deals.closed_at,

        ---------- periods (reporting time zone)
        deals.created_date,
        deals.created_month,
        deals.closed_date,
        deals.closed_month,

        ---------- durations
        case when deals.is_closed then deals.sales_cycle_days end as sales_cycle_days,

        ---------- contract
        deals.contract_term_months,
        deals.contract_start_date,
        contracts.contract_start_month,
        contracts.contract_end_month,
        contracts.arr

    from deals
    left join contracts on deals.deal_id = contracts.deal_id
)

select * from final
