with

source as (
    select * from {{ source('hubspot', 'call_dispositions') }}
),

renamed as (
    select
        ----------  ids (GUIDs compared in lower case: HubSpot is not consistent about case)
        lower(trim(id)) as call_disposition_id,

        ---------- text
        nullif(trim(label), '') as call_disposition_label,

        ---------- load metadata
        _sync_id as sync_id,
        _loaded_at as loaded_at

    from source
)

select * from renamed
