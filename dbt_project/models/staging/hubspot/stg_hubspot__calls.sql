with

source as (
    select * from {{ source('hubspot', 'calls') }}
),

renamed as (
    select
        ----------  ids
        id as call_id,
        hubspot_owner_id as owner_id,
        hs_call_disposition as call_disposition_id,

        ---------- text
        hs_call_direction as call_direction,
        hs_call_status as call_status,
        hs_call_title as call_title,

        ---------- numerics (HubSpot sends milliseconds)
        hs_call_duration as call_duration_ms,
        hs_call_duration / 1000.0 as call_duration_seconds,

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
