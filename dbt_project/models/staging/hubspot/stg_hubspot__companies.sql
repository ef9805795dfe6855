with

source as (
    select * from {{ source('hubspot', 'companies') }}
),

{{ merged_away_ctes('source', 'company') }},

renamed as (
    select
        ----------  ids
        id as company_id,
        hubspot_owner_id as owner_id,

        ---------- text
        name as company_name,
        domain,
        industry,
        hs_merged_object_ids as merged_object_ids,

        ---------- numerics
        annualrevenue as annual_revenue,

        ---------- booleans
        coalesce(archived, false) as is_archived,

        ---------- timestamps (naive UTC)
        createdate as created_at,
        hs_lastmodifieddate as updated_at,
        created_at as record_created_at,
        updated_at as record_updated_at,
        archived_at,

        ---------- load metadata
        _sync_id as sync_id,
        _loaded_at as loaded_at

    from source
),

final as (
    select
        renamed.*,
        merged_away.company_id is not null as is_merged,
        merged_away.merged_into_company_id
    from renamed
    left join merged_away on renamed.company_id = merged_away.company_id
)

select * from final
