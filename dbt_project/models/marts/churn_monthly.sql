{#
    One row per month, from the second month of the ARR series (the first has no previous month) to
    the as-of month, no gaps. Over the accounts active in m-1 only (new and reactivated accounts are
    left out): logo churn = accounts churned / accounts active in m-1; gross revenue churn =
    (churned + contraction ARR) / ARR at the start; net revenue retention = (start ARR + expansion -
    contraction - churned) / start ARR.
#}

with

account_months as (
    select * from {{ ref('arr_by_account_month') }}
),

months as (
    select month
    from {{ month_spine('(select min(month) + interval 1 month from account_months)', as_of_month()) }}
),

retained_base as (
    -- only accounts active in m-1: new and reactivated accounts are left out
    select
        month,
        count(*) as customers_start,
        count(*) filter (where movement = 'churn') as churned_customers,
        sum(prev_arr) as arr_start,
        sum(prev_arr) filter (where movement = 'churn') as churned_arr,
        sum(prev_arr - arr) filter (where movement = 'contraction') as contraction_arr,
        sum(arr - prev_arr) filter (where movement = 'expansion') as expansion_arr
    from account_months
    where prev_arr > 0
    group by month
),

filled as (
    select
        months.month,
        coalesce(retained_base.customers_start, 0) as customers_start,
        coalesce(retained_base.churned_customers, 0) as churned_customers,
        {{ money('coalesce(retained_base.arr_start, 0)') }} as arr_start,
        {{ money('coalesce(retained_base.churned_arr, 0)') }} as churned_arr,
        {{ money('coalesce(retained_base.contraction_arr, 0)') }} as contraction_arr,
        {{ money('coalesce(retained_base.expansion_arr, 0)') }} as expansion_arr
    from months
    left join retained_base on months.month = retained_base.month
),

final as (
    select
        month,
        customers_start,
        churned_customers,
        {{ safe_divide('churned_customers', 'customers_start') }} as logo_churn_rate,
        arr_start,
        churned_arr,
        contraction_arr,
        {{ safe_divide('churned_arr + contraction_arr', 'arr_start') }} as gross_revenue_churn_rate,
        {{ safe_divide('arr_start + expansion_arr - contraction_arr - churned_arr', 'arr_start') }}
            as net_revenue_retention,
        expansion_arr
    from filled
)

select * from final
