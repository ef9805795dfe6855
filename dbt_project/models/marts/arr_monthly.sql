{#
    One row per month, from the first contract month to the as-of month, no gaps: ARR (sum of the
    accounts' ARR), customers (accounts with ARR > 0) and the ARR bridge, each movement's change as a
    positive amount, so that arr = prev_arr + new + expansion + reactivation - contraction - churned
    on every row.
#}

with

account_months as (
    select * from {{ ref('arr_by_account_month') }}
),

months as (
    select month from {{ month_spine('(select min(month) from account_months)', as_of_month()) }}
),

movements as (
    select
        month,
        sum(arr) as arr,
        sum(prev_arr) as prev_arr,
        count(*) filter (where arr > 0) as customers,
        sum(arr) filter (where movement = 'new') as new_arr,
        sum(arr - prev_arr) filter (where movement = 'expansion') as expansion_arr,
        sum(prev_arr - arr) filter (where movement = 'contraction') as contraction_arr,
        sum(prev_arr) filter (where movement = 'churn') as churned_arr,
        sum(arr) filter (where movement = 'reactivation') as reactivation_arr
    from account_months
    group by month
),

final as (
    select
        months.month,
        {{ money('coalesce(movements.arr, 0)') }} as arr,
        coalesce(movements.customers, 0) as customers,
        {{ money('coalesce(movements.new_arr, 0)') }} as new_arr,
        {{ money('coalesce(movements.expansion_arr, 0)') }} as expansion_arr,
        {{ money('coalesce(movements.contraction_arr, 0)') }} as contraction_arr,
        {{ money('coalesce(movements.churned_arr, 0)') }} as churned_arr,
        {{ money('coalesce(movements.reactivation_arr, 0)') }} as reactivation_arr,
        {{ money('coalesce(movements.prev_arr, 0)') }} as prev_arr
    from months
    left join movements on months.month = movements.month
)

select * from final
