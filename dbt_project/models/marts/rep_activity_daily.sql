{#
    One row per owner (NULL included) and local day with any engagement: the activity measures,
    and for each measure with a configured daily goal (config.activity_goals) the goal and the
    attainment (actual / goal, not capped at 1). A measure without a goal has both NULL.
#}

with

daily as (
    select * from {{ ref('int_rep_activity_daily') }}
),

goals as (
    select * from {{ ref('stg_salesmetrics_config__activity_goals') }}
),

goal_columns as (
    -- one row: the daily goal of each measure, NULL when not configured
    select
        {%- for measure in activity_measures() %}
        max(daily_goal) filter (where measure = '{{ measure }}') as {{ measure }}_goal,
        {%- endfor %}
        count(*) as goals_configured
    from goals
),

final as (
    select
        daily.activity_date,
        daily.owner_id,
        {{ activity_columns('daily.') }},
        ---------- daily goals and attainment
        {%- for measure in activity_measures() %}
        goal_columns.{{ measure }}_goal,
        {{ safe_divide('daily.' ~ measure, 'goal_columns.' ~ measure ~ '_goal') }} as {{ measure }}_goal_attainment,
        {%- endfor %}
        -- extra columns (not in the contract list; safe to add)
        cast(date_trunc('week', daily.activity_date) as date) as week_start,
        daily.dials_with_disposition,
        daily.positive_dials,
        daily.connected_calls_with_duration,
        daily.connected_talk_time_ms,
        daily.engagements
    from daily
    cross join goal_columns
)

select * from final
