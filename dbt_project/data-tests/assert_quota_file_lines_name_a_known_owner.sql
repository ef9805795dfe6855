{{ config(severity='warn') }}
{#
    Every line of the quota file names an owner: an owner_id that exists, or an email that matches
    an owner's email (case-insensitive). A line that names nobody gives no quota, so it is reported
    as a warning (the build goes on). Returns the lines that name no known owner.
#}

with

quotas as (
    select * from {{ ref('stg_salesmetrics_config__quotas') }}
),

owners as (
    select * from {{ ref('stg_hubspot__owners') }}
),

final as (
    select quotas.*
    from quotas
    where not exists (
        select 1
        from owners
        where (quotas.owner_id is not null and owners.owner_id = quotas.owner_id)
           or (quotas.owner_id is null and lower(trim(owners.email)) = quotas.owner_email)
    )
)

select * from final
