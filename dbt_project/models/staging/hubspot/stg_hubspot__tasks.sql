with

source as (
    select * from {{ source('hubspot', 'tasks') }}
),

renamed as (
    select
        ----------  ids
        id as task_id,
        hubspot_owner_id as owner_id,

        ---------- text
        hs_task_subject as task_subject,
        hs_task_status as task_status,
        hs_task_priority as task_priority,
        hs_task_type as task_type,

        ---------- booleans
        coalesce(archived, false) as is_archived,

        ---------- timestamps (naive UTC); a task's hs_timestamp is its due date
        hs_timestamp as due_at,
        hs_createdate as created_at,
        hs_lastmodifieddate as updated_at,
        created_at as record_created_at,
        updated_at as record_updated_at,
        archived_at,

        ---------- load metadata
        _sync_id as sync_id,
        _loaded_at as loaded_at

    from source
)

select * from renamed
