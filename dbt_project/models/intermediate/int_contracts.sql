{#
    One row per ARR contract: a deal won by the as-of date, with an account and a positive amount.
    ARR = amount / (term_months / 12); the contract covers ceil(term_months) calendar months from
    the month of its start date (whether that is before or after the close month).
#}

with

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

contracts as (
    select
        deal_id,
        account_id,
        owner_id,
        closed_date,
        contract_start_date,
        cast(date_trunc('month', contract_start_date) as date) as contract_start_month,
        contract_term_months,
        cast(ceil(contract_term_months) as integer) as covered_months,
        amount,
        {{ safe_divide('amount', 'contract_term_months / 12.0') }} as arr
    from deals
    where is_won
        and account_id is not null
        and closed_date <= {{ as_of_date() }}
        and contract_start_date is not null
        and amount > 0
),

final as (
    select
        *,
        -- first month no longer covered (periods are half-open)
        cast(contract_start_month + to_months(covered_months) as date) as contract_end_month
    from contracts
)

select * from final
