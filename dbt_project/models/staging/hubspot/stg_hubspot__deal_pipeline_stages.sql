with

source as (
    select * from {{ source('hubspot', 'deal_pipeline_stages') }}
),

renamed as (
    select
        ----------  ids
        pipeline_id,
        stage_id as deal_stage_id,

        ---------- text
        pipeline_label,
        stage_label as deal_stage_label,

        ---------- numerics
        pipeline_display_order,
        display_order as stage_display_order,
        probability as stage_probability,

        ---------- booleans
        coalesce(is_closed, false) as is_closed_stage,
        coalesce(pipeline_archived, false) as is_pipeline_archived,
        coalesce(archived, false) as is_archived,

        ---------- load metadata
        _sync_id as sync_id,
        _loaded_at as loaded_at

    from source
)

select * from renamed
