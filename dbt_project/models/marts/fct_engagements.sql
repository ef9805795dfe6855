{#
    One row per live engagement (calls, emails, meetings, notes and tasks; archived ones excluded):
    the activity fact for BI, with the call outcome label resolved and local periods.
#}

with

engagements as (
    select * from {{ ref('int_engagements') }}
),

final as (
    select
        ----------  ids
        engagement_id,
        engagement_type,
        owner_id,
        call_disposition_id,

        ---------- text
        direction,
        call_disposition_label,
        status,
        outcome,
        title,

        ---------- numerics
        duration_seconds,

        ---------- timestamps (naive UTC)
        occurred_at,
        created_at,

        ---------- periods (reporting time zone)
        occurred_date,
        occurred_week,
        occurred_month,
        counted_date as activity_date,

        ---------- activity measures
        is_dial,
        is_inbound_call,
        is_connected_call,
        is_positive_dial,
        is_meeting_booked,
        is_email_sent,
        is_email_received,
        is_task_completed,
        counted_date > {{ as_of_date() }} as is_after_as_of

    from engagements
)

select * from final
