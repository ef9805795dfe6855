with

source as (
    select * from {{ source('salesmetrics_config', 'revenue_targets') }}
),

renamed as (
    select
        ---------- periods (local dates, half-open)
        period_start,
        period_end,

        ---------- numerics (home currency)
        revenue_target

    from source
)

select * from renamed
