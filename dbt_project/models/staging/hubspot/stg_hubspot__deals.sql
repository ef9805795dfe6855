with

source as (
    select * from {{ source('hubspot', 'deals') }}
),

{{ merged_away_ctes('source', 'deal') }},

renamed as (
    select
        ----------  ids
        id as deal_id,
        pipeline as pipeline_id,
        dealstage as deal_stage_id,
        hubspot_owner_id as owner_id,
        primary_company_id,

        ---------- text
        dealname as deal_name,
        dealtype as deal_type,
        deal_currency_code as currency_code,
        hs_merged_object_ids as merged_object_ids,

        ---------- numerics (amount and cost in the deal currency; term in months)
        amount,
        amount_in_home_currency,
        cost_of_fulfillment,
        contract_term_months,
        hs_deal_stage_probability as hubspot_stage_probability,

        ---------- booleans (HubSpot's own flags; outcomes come from stage metadata downstream)
        hs_is_closed as is_closed_hubspot,
        hs_is_closed_won as is_closed_won_hubspot,
        coalesce(archived, false) as is_archived,

        ---------- timestamps (naive UTC)
        createdate as created_at,
        closedate as closed_at,
        contract_start_date as contract_start_at,
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
        merged_away.deal_id is not null as is_merged,
        merged_away.merged_into_deal_id
    from renamed
    left join merged_away on renamed.deal_id = merged_away.deal_id
)

select * from final
