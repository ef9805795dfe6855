{#
    One row per live (not archived) engagement of the five types, in one shape: owner, activity
    time (hs_timestamp) and its local periods, direction, call outcome (GUID and label), duration,
    status, and one flag per activity measure. `counted_date` is the local day the engagement
    counts on in the activity marts: hs_timestamp, except meetings, which count when they were
    booked (hs_createdate).
#}

with

calls as (
    select * from {{ ref('stg_hubspot__calls') }}
),

emails as (
    select * from {{ ref('stg_hubspot__emails') }}
),

meetings as (
    select * from {{ ref('stg_hubspot__meetings') }}
),

notes as (
    select * from {{ ref('stg_hubspot__notes') }}
),

tasks as (
    select * from {{ ref('stg_hubspot__tasks') }}
),

dispositions as (
    select * from {{ ref('int_call_dispositions') }}
),

positive_dispositions as (
    select * from {{ ref('stg_salesmetrics_config__positive_dispositions') }}
),

unioned as (
    select
        call_id as engagement_id,
        'call' as engagement_type,
        owner_id,
        activity_at as occurred_at,
        created_at,
        activity_at as counted_at,
        upper(trim(call_direction)) as direction,
        nullif(lower(trim(call_disposition_id)), '') as call_disposition_id,
        call_duration_ms as duration_ms,
        call_status as status,
        call_title as title
    from calls
    where not is_archived

    union all

    select
        email_id as engagement_id,
        'email' as engagement_type,
        owner_id,
        activity_at as occurred_at,
        created_at,
        activity_at as counted_at,
        upper(trim(email_direction)) as direction,
        null as call_disposition_id,
        null as duration_ms,
        email_status as status,
        email_subject as title
    from emails
    where not is_archived

    union all

    select
        meeting_id as engagement_id,
        'meeting' as engagement_type,
        owner_id,
        activity_at as occurred_at,
        created_at,
        -- a meeting counts as booked when it was created, not when it takes place
        coalesce(created_at, record_created_at) as counted_at,
        null as direction,
        null as call_disposition_id,
        epoch_ms(meeting_end_at) - epoch_ms(meeting_start_at) as duration_ms,
        meeting_outcome as status,
        meeting_title as title
    from meetings
    where not is_archived

    union all

    select
        note_id as engagement_id,
        'note' as engagement_type,
        owner_id,
        activity_at as occurred_at,
        created_at,
        activity_at as counted_at,
        null as direction,
        null as call_disposition_id,
        null as duration_ms,
        null as status,
        null as title
    from notes
    where not is_archived

    union all

    select
        task_id as engagement_id,
        'task' as engagement_type,
        owner_id,
        due_at as occurred_at,
        created_at,
        due_at as counted_at,
        null as direction,
        null as call_disposition_id,
        null as duration_ms,
        upper(trim(task_status)) as status,
        task_subject as title
    from tasks
    where not is_archived
),

labelled as (
    select
        unioned.*,
        dispositions.call_disposition_label,
        positive_dispositions.label_key is not null as is_positive_label
    from unioned
    left join dispositions
        on unioned.call_disposition_id = dispositions.call_disposition_id
    left join positive_dispositions
        on lower(trim(dispositions.call_disposition_label)) = positive_dispositions.label_key
),

flagged as (
    select
        *,
        -- a dial: an outbound call, or a call whose direction is unknown (anything but INBOUND)
        engagement_type = 'call' and coalesce(direction, '') <> 'INBOUND' as is_dial,
        engagement_type = 'call' and coalesce(direction = 'INBOUND', false) as is_inbound_call
    from labelled
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
        case
            when engagement_type = 'call' then call_disposition_label
            when engagement_type = 'meeting' then status
        end as outcome,
        title,

        ---------- numerics
        duration_ms,
        duration_ms / 1000.0 as duration_seconds,

        ---------- timestamps (naive UTC)
        occurred_at,
        created_at,
        counted_at,

        ---------- periods (reporting time zone)
        {{ reporting_date('occurred_at') }} as occurred_date,
        {{ reporting_week('occurred_at') }} as occurred_week,
        {{ reporting_month('occurred_at') }} as occurred_month,
        {{ reporting_date('counted_at') }} as counted_date,

        ---------- activity measures (one flag each)
        is_dial,
        is_inbound_call,
        is_dial and coalesce(lower(trim(call_disposition_label)) = 'connected', false) as is_connected_call,
        is_dial and call_disposition_id is not null as is_dial_with_disposition,
        is_dial and call_disposition_id is not null and is_positive_label as is_positive_dial,
        engagement_type = 'meeting' as is_meeting_booked,
        engagement_type = 'email' and coalesce(direction = 'EMAIL', false) as is_email_sent,
        engagement_type = 'email' and coalesce(direction = 'INCOMING_EMAIL', false) as is_email_received,
        engagement_type = 'note' as is_note,
        engagement_type = 'task' and coalesce(status = 'COMPLETED', false) as is_task_completed

    from flagged
)

select * from final
