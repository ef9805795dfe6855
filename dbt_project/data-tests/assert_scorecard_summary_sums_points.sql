{#
    rep_scorecard_summary has exactly one row per owner and month of rep_scorecard, whose
    total_points is the sum of that owner's points in the month. Returns the owner-months that differ.
#}

with

points as (
    select month, owner_id, sum(points) as sum_points
    from {{ ref('rep_scorecard') }}
    group by month, owner_id
),

summary as (
    select * from {{ ref('rep_scorecard_summary') }}
),

final as (
    select
        coalesce(points.month, summary.month) as month,
        coalesce(points.owner_id, summary.owner_id) as owner_id,
        points.sum_points,
        summary.total_points
    from points
    full outer join summary
        on points.month = summary.month
        and points.owner_id = summary.owner_id
    where points.owner_id is null
       or summary.owner_id is null
       or abs(points.sum_points - summary.total_points) > 1e-4
)

select * from final
