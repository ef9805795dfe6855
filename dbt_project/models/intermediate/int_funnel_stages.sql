{#
    One row per stage of a pipeline's funnel: the live open stages in display order, then the
    closed-won stages (closed, probability 1.0) last; closed-lost stages (closed, probability 0.0),
    other closed stages and archived stages are left out. funnel_position numbers them 1..n.
#}

with

stages as (
    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}
),

funnel_stages as (
    select
        pipeline_id,
        deal_stage_id,
        deal_stage_label,
        stage_display_order,
        stage_probability,
        is_closed_stage as is_won_stage
    from stages
    where not is_archived
        and (not is_closed_stage or stage_probability >= 1)
),

final as (
    select
        pipeline_id,
        deal_stage_id,
        deal_stage_label,
        stage_display_order,
        stage_probability,
        is_won_stage,
        row_number() over (
            partition by pipeline_id
            order by is_won_stage, stage_display_order, deal_stage_id
        ) as funnel_position
    from funnel_stages
)

select * from final
