with

account_months as (
    select * from {{ ref('arr_by_account_month') }}
),

months as (
    -- every month from the first contract month to the as-of month, no gaps
    select cast(unnest({{ month_series('first_month', as_of_month()) }}) as date) as month
    from (select min(month) as first_month from account_months)
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
        cast(coalesce(movements.arr, 0) as decimal(18, 2)) as arr,
        coalesce(movements.customers, 0) as customers,
        cast(coalesce(movements.new_arr, 0) as decimal(18, 2)) as new_arr,
        cast(coalesce(movements.expansion_arr, 0) as decimal(18, 2)) as expansion_arr,
        cast(coalesce(movements.contraction_arr, 0) as decimal(18, 2)) as contraction_arr,
        cast(coalesce(movements.churned_arr, 0) as decimal(18, 2)) as churned_arr,
        cast(coalesce(movements.reactivation_arr, 0) as decimal(18, 2)) as reactivation_arr,
        cast(coalesce(movements.prev_arr, 0) as decimal(18, 2)) as prev_arr
    from months
    left join movements on months.month = movements.month
)

select * from final
