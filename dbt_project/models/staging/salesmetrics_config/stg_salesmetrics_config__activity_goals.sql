with

source as (
    select * from {{ source('salesmetrics_config', 'activity_goals') }}
),

renamed as (
    select
        ---------- text
        lower(trim(measure)) as measure,

        ---------- numerics
        daily_goal

    from source
)

select * from renamed
