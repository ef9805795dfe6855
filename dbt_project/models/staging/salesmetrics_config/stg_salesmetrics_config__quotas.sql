with

source as (
    select * from {{ source('salesmetrics_config', 'quotas') }}
),

renamed as (
    select
        ----------  ids
        nullif(trim(owner_id), '') as owner_id,

        ---------- text (matched to owners' emails case-insensitively)
        nullif(lower(trim(owner_email)), '') as owner_email,

        ---------- periods (local dates, half-open)
        period_start,
        period_end,

        ---------- numerics
        quota_deals,
        quota_revenue

    from source
)

select * from renamed
