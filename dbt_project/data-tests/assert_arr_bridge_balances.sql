{#
    The ARR identity on every month of arr_monthly, with the opening balance taken independently
    (the previous row's arr, not the prev_arr column), and arr_monthly.arr equal to the sum of the
    account rows. Returns the months where either fails.
#}

with

arr_monthly as (
    select * from {{ ref('arr_monthly') }}
),

account_months as (
    select * from {{ ref('arr_by_account_month') }}
),

bridge as (
    select
        month,
        arr,
        coalesce(lag(arr) over (order by month), 0) as opening_arr,
        new_arr,
        expansion_arr,
        reactivation_arr,
        contraction_arr,
        churned_arr
    from arr_monthly
),

account_totals as (
    select month, sum(arr) as account_arr
    from account_months
    group by month
),

final as (
    select
        bridge.*,
        account_totals.account_arr
    from bridge
    left join account_totals on bridge.month = account_totals.month
    where bridge.arr <> bridge.opening_arr + bridge.new_arr + bridge.expansion_arr
            + bridge.reactivation_arr - bridge.contraction_arr - bridge.churned_arr
       or bridge.arr <> coalesce(account_totals.account_arr, 0)
)

select * from final
