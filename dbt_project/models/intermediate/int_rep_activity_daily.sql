{#
    One row per owner (NULL included) and local day with any engagement counted on it (up to the
    as-of date): additive counts and exact sums (talk time in integer milliseconds), so that weeks
    and months are plain sums of days and every ratio is taken from exact totals.
#}

with

engagements as (
    select * from {{ ref('int_engagements') }}
),

counted as (
    select * from engagements
    where counted_date is not null
        and counted_date <= {{ as_of_date() }}
),

final as (
    select
        counted_date as activity_date,
        owner_id,
        count(*) filter (where is_dial) as calls,
        count(*) filter (where is_inbound_call) as inbound_calls,
        count(*) filter (where is_connected_call) as connected_calls,
        -- talk time over connected dials that have a duration, in whole milliseconds (exact sums)
        count(duration_ms) filter (where is_connected_call) as connected_calls_with_duration,
        cast(
            coalesce({{ exact_sum('round(duration_ms)', scale=0, precision=38) }} filter (where is_connected_call), 0)
            as bigint
        ) as connected_talk_time_ms,
        count(*) filter (where is_dial_with_disposition) as dials_with_disposition,
        count(*) filter (where is_positive_dial) as positive_dials,
        count(*) filter (where is_meeting_booked) as meetings_booked,
        count(*) filter (where is_email_sent) as emails_sent,
        count(*) filter (where is_email_received) as emails_received,
        count(*) filter (where is_note) as notes,
        count(*) filter (where is_task_completed) as tasks_completed,
        count(*) as engagements
    from counted
    group by counted_date, owner_id
)

select * from final
