with

source as (
    select * from {{ source('hubspot', 'emails') }}
),

renamed as (
    select
        ----------  ids
        id as email_id,
        hubspot_owner_id as owner_id,

        ---------- text
        hs_email_direction as email_direction,
        hs_email_status as email_status,
        hs_email_subject as email_subject,

        ---------- booleans
        coalesce(archived, false) as is_archived,

        ---------- timestamps (naive UTC)
        hs_timestamp as activity_at,
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
