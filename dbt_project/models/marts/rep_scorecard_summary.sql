{#
    One row per owner and month scored in rep_scorecard: total points (sum over the measures, in
    exact decimals so that ties rank the same on every rebuild) and the dense rank within the month,
    highest total first.
#}

with

scorecard as (
    select * from {{ ref('rep_scorecard') }}
),

totals as (
    select
        month,
        owner_id,
        {{ exact_sum('round(points, 6)', scale=6, precision=38) }} as total_points,
        count(*) as measures_scored
    from scorecard
    group by month, owner_id
),

final as (
    select
        month,
        owner_id,
        cast(total_points as double) as total_points,
        dense_rank() over (partition by month order by total_points desc) as rank,
        -- extra columns (not in the contract list; safe to add)
        measures_scored
    from totals
)

select * from final
