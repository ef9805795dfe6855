with

source as (
    select * from {{ source('salesmetrics_config', 'scorecard_measures') }}
),

renamed as (
    select
        ---------- text
        lower(trim(measure)) as measure,

        ---------- numerics
        weight,
        benchmark

    from source
)

select * from renamed
