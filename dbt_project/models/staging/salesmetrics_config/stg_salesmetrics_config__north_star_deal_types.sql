with

source as (
    select * from {{ source('salesmetrics_config', 'north_star_deal_types') }}
),

renamed as (
    -- types match case-insensitively and ignoring surrounding spaces; '' is the same as no type
    select distinct lower(nullif(trim(deal_type), '')) as deal_type_key
    ---------- text

    from source
)

select * from renamed
