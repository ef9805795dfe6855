with

source as (
    select * from {{ source('hubspot', 'deal_companies') }}
),

renamed as (
    select
        ----------  ids
        deal_id,
        company_id,

        ---------- booleans
        coalesce(is_primary, false) as is_primary,

        ---------- load metadata
        _sync_id as sync_id,
        _loaded_at as loaded_at

    from source
),

final as (
    -- HubSpot can return the same association twice (once per label): one row per pair
    select
        deal_id,
        company_id,
        bool_or(is_primary) as is_primary,
        max(sync_id) as sync_id,
        max(loaded_at) as loaded_at
    from renamed
    group by deal_id, company_id
)

select * from final
