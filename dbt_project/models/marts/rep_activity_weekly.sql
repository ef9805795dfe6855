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
        sum(calls)::bigint as calls,
        sum(inbound_calls)::bigint as inbound_calls,
        sum(connected_calls)::bigint as connected_calls,
        sum(connected_calls_with_duration)::bigint as connected_calls_with_duration,
        sum(connected_talk_time_ms)::bigint as connected_talk_time_ms,
        sum(dials_with_disposition)::bigint as dials_with_disposition,
        sum(positive_dials)::bigint as positive_dials,
        sum(meetings_booked)::bigint as meetings_booked,
        sum(emails_sent)::bigint as emails_sent,
        sum(emails_received)::bigint as emails_received,
        sum(notes)::bigint as notes,
        sum(tasks_completed)::bigint as tasks_completed,
        sum(engagements)::bigint as engagements
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
