{#
    One row per company that is not deleted (archived companies excluded): live companies and
    companies merged into another, flagged, with the survivor and the account they count under.
#}

with

companies as (
    select * from {{ ref('stg_hubspot__companies') }}
),

final as (
    select
        ----------  ids
        companies.company_id,
        companies.owner_id,
        companies.merged_into_company_id,
        -- the account the company's deals count under: its survivor when merged; none when that survivor is deleted
        case
            when coalesce(survivors.is_archived, false) then null
            else coalesce(survivors.company_id, companies.company_id)
        end as account_id,

        ---------- text
        companies.company_name,
        companies.domain,
        companies.industry,

        ---------- numerics
        companies.annual_revenue,

        ---------- booleans
        companies.is_merged,

        ---------- timestamps (naive UTC)
        companies.created_at,
        companies.updated_at

    from companies
    left join companies as survivors
        on companies.is_merged
        and survivors.company_id = companies.merged_into_company_id
    where not companies.is_archived
)

select * from final
