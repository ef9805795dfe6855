with

source as (
    select * from {{ source('salesmetrics_config', 'positive_dispositions') }}
),

renamed as (
    -- labels match case-insensitively and ignoring surrounding spaces
    select distinct lower(trim(label)) as label_key
    ---------- text

    from source
    where nullif(trim(label), '') is not null
)

select * from renamed
