{#
    One row per account and month from the account's first contract month to the as-of month
    (no gaps; months after the last contract keep ARR 0): the sum of the ARR of the contracts
    covering the month, rounded to cents as DECIMAL(18,2) so that movements compare exactly.
#}

with

contracts as (
    select * from {{ ref('int_contracts') }}
),

contract_months as (
    select
        deal_id,
        account_id,
        arr,
        {{ month_starts('contract_start_month', 'contract_end_month - interval 1 month') }} as month
    from contracts
),

account_spine as (
    select
        account_id,
        {{ month_starts('first_contract_month', as_of_month()) }} as month
    from (
        select
            account_id,
            min(contract_start_month) as first_contract_month
        from contracts
        group by account_id
    ) as first_contracts
),

final as (
    select
        account_spine.month,
        account_spine.account_id,
        {{ money('round(coalesce(sum(contract_months.arr), 0), 2)') }} as arr,
        count(contract_months.deal_id) as active_contracts
    from account_spine
    left join contract_months
        on account_spine.account_id = contract_months.account_id
        and account_spine.month = contract_months.month
    group by account_spine.month, account_spine.account_id
)

select * from final
