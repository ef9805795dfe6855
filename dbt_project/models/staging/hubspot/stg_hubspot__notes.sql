with

source as (
    select * from {{ source('hubspot', 'notes') }}
),

renamed as (
    select
        ----------  ids
        id as note_id,
        hubspot_owner_id as owner_id,

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
