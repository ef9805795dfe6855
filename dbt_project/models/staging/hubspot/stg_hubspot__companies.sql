with

source as (
    select * from {{ source('hubspot', 'companies') }}
),

merge_links as (
    -- a survivor lists in hs_merged_object_ids the ids of the companies merged into it
    select distinct survivor_company_id, trim(merged_part) as merged_company_id
    from (
        select
            id as survivor_company_id,
            unnest({{ split_hubspot_ids('hs_merged_object_ids') }}) as merged_part
        from source
    )
    where trim(merged_part) <> ''
      and trim(merged_part) <> survivor_company_id
),

merged_away as (
    select
        merged_company_id as company_id,
        -- prefer a survivor that is not itself merged away (chains of merges); lowest id on ties
        coalesce(
            min(survivor_company_id) filter (
                where survivor_company_id not in (select merged_company_id from merge_links)
            ),
            min(survivor_company_id)
        ) as merged_into_company_id
    from merge_links
    group by merged_company_id
),

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
