{#
    One row per account and month, from the account's first contract month to the as-of month, no
    gaps (int_arr_by_account_month): ARR, the previous month's ARR (0 before the first month) and the
    movement: prev 0 and never active before -> new; prev 0, active before -> reactivation; above
    prev -> expansion; prev > 0 and ARR 0 -> churn; between 0 and prev -> contraction; else flat.
#}

with

arr as (
    select * from {{ ref('int_arr_by_account_month') }}
),

with_history as (
    select
        month,
        account_id,
        arr,
        -- rows are dense per account, so the previous row is month m-1 (0 before the first month)
        coalesce(
            lag(arr) over (partition by account_id order by month),
            0
        ) as prev_arr,
        coalesce(
            max(arr) over (
                partition by account_id order by month
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) > 0 as was_active_before
    from arr
),

final as (
    select
        month,
        account_id,
        arr,
        {{ money('prev_arr') }} as prev_arr,
        case
            when prev_arr = 0 and arr > 0 and not was_active_before then 'new'
            when prev_arr = 0 and arr > 0 then 'reactivation'
            when prev_arr > 0 and arr > prev_arr then 'expansion'
            when prev_arr > 0 and arr = 0 then 'churn'
            when arr > 0 and arr < prev_arr then 'contraction'
            else 'flat'
        end as movement
    from with_history
)

select * from final
