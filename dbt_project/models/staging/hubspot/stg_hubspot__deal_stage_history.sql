with

source as (
    select * from {{ source('hubspot', 'deal_stage_history') }}
),

renamed as (
    select
        ----------  ids
        deal_id,
        dealstage as deal_stage_id,

        ---------- text
        source_type,

        ---------- timestamps (naive UTC)
        changed_at,

        ---------- load metadata
        _sync_id as sync_id,
        _loaded_at as loaded_at

    from source
)

select * from renamed
