{#
    One row per owner (NULL included) and local ISO week (Monday) with any engagement: the week's
    sums of the daily counts, and ratios taken from those exact sums.
#}

with

daily as (
    select * from {{ ref('int_rep_activity_daily') }}
),

weekly as (
    select
        cast(date_trunc('week', activity_date) as date) as week_start,
        owner_id,
        cast(sum(calls) as bigint) as calls,
        cast(sum(inbound_calls) as bigint) as inbound_calls,
        cast(sum(connected_calls) as bigint) as connected_calls,
        cast(sum(connected_calls_with_duration) as bigint) as connected_calls_with_duration,
        cast(sum(connected_talk_time_ms) as bigint) as connected_talk_time_ms,
        cast(sum(dials_with_disposition) as bigint) as dials_with_disposition,
        cast(sum(positive_dials) as bigint) as positive_dials,
        cast(sum(meetings_booked) as bigint) as meetings_booked,
        cast(sum(emails_sent) as bigint) as emails_sent,
        cast(sum(emails_received) as bigint) as emails_received,
        cast(sum(notes) as bigint) as notes,
        cast(sum(tasks_completed) as bigint) as tasks_completed,
        cast(sum(engagements) as bigint) as engagements
    from daily
    group by 1, 2
),

final as (
    select
        week_start,
        owner_id,
        {{ activity_columns() }},
        -- extra columns (not in the contract list; safe to add)
        dials_with_disposition,
        positive_dials,
        connected_calls_with_duration,
        connected_talk_time_ms,
        engagements
    from weekly
)

select * from final
