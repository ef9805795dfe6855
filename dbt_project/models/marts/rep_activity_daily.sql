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
        max(daily_goal) filter (where measure = 'calls') as calls_goal,
        max(daily_goal) filter (where measure = 'connected_calls') as connected_calls_goal,
        max(daily_goal) filter (where measure = 'meetings_booked') as meetings_booked_goal,
        max(daily_goal) filter (where measure = 'emails_sent') as emails_sent_goal,
        max(daily_goal) filter (where measure = 'tasks_completed') as tasks_completed_goal,
        max(daily_goal) filter (where measure = 'notes') as notes_goal
    from goals
),

final as (
    select
        daily.activity_date,
        daily.owner_id,
        daily.calls,
        daily.inbound_calls,
        daily.connected_calls,
        {{ safe_divide('daily.connected_talk_time_ms', 'daily.connected_calls_with_duration * 1000') }} as avg_talk_time_seconds,
        {{ safe_divide('daily.positive_dials', 'daily.dials_with_disposition') }} as positive_disposition_rate,
        daily.meetings_booked,
        {{ safe_divide('daily.meetings_booked', 'daily.connected_calls') }} as meetings_per_conversation,
        daily.emails_sent,
        daily.emails_received,
        {{ safe_divide('daily.emails_received', 'daily.emails_sent') }} as emails_received_per_sent,
        daily.notes,
        daily.tasks_completed,
        ---------- daily goals and attainment
        {%- for measure in ['calls', 'connected_calls', 'meetings_booked', 'emails_sent', 'tasks_completed', 'notes'] %}
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
