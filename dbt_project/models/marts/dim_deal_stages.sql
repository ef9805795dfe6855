{#
    One row per deal pipeline and stage with the metadata that decides outcomes (closed +
    probability 1.0 = won, closed + 0.0 = lost) and the stage's position in the funnel.
#}

with

stages as (
    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}
),

funnel_stages as (
    select * from {{ ref('int_funnel_stages') }}
),

final as (
    select
        ----------  ids
        stages.pipeline_id,
        stages.deal_stage_id,

        ---------- text
        stages.pipeline_label,
        stages.deal_stage_label,

        ---------- numerics
        stages.pipeline_display_order,
        stages.stage_display_order,
        stages.stage_probability,
        funnel_stages.funnel_position,

        ---------- booleans
        stages.is_closed_stage as is_closed,
        stages.is_closed_stage and coalesce(stages.stage_probability >= 1, false) as is_won,
        stages.is_closed_stage and coalesce(stages.stage_probability <= 0, false) as is_lost,
        stages.is_archived,
        stages.is_pipeline_archived

    from stages
    left join funnel_stages
        on stages.pipeline_id = funnel_stages.pipeline_id
        and stages.deal_stage_id = funnel_stages.deal_stage_id
)

select * from final
