{#
    One row per pipeline, deal-creation cohort month (local) and adjacent pair of funnel stages,
    for every pipeline and cohort that has live deals created by the as-of date. A deal has reached
    stage k when the furthest funnel stage it entered on or before the as-of date is k or later
    (int_deal_stage_entries: its stage history cut at the as-of date, plus its current stage when
    that has not changed since): skipped stages count as reached, moving back (or a reopened won
    deal) undoes nothing, a lost deal reached the furthest open stage it was in, and a stage
    entered after the as-of date is not reached yet.
#}

with

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

stage_entries as (
    select * from {{ ref('int_deal_stage_entries') }}
),

funnel_stages as (
    select * from {{ ref('int_funnel_stages') }}
),

cohort_deals as (
    select
        deal_id,
        pipeline_id,
        deal_stage_id,
        created_month as cohort_month
    from deals
    where created_date <= {{ as_of_date() }}
        and pipeline_id is not null
),

stages_seen as (
    -- every stage the deal entered on or before the as-of date
    select distinct
        deal_id,
        deal_stage_id
    from stage_entries
),

furthest as (
    -- furthest funnel position per deal (NULL when it was never in a funnel stage)
    select
        cohort_deals.deal_id,
        cohort_deals.pipeline_id,
        cohort_deals.cohort_month,
        max(funnel_stages.funnel_position) as furthest_position
    from cohort_deals
    left join stages_seen on cohort_deals.deal_id = stages_seen.deal_id
    left join funnel_stages
        on cohort_deals.pipeline_id = funnel_stages.pipeline_id
        and stages_seen.deal_stage_id = funnel_stages.deal_stage_id
    group by 1, 2, 3
),

stage_pairs as (
    select
        from_stage.pipeline_id,
        from_stage.funnel_position as from_position,
        from_stage.deal_stage_id as from_stage_id,
        to_stage.deal_stage_id as to_stage_id,
        to_stage.funnel_position as to_position
    from funnel_stages as from_stage
    inner join funnel_stages as to_stage
        on from_stage.pipeline_id = to_stage.pipeline_id
        and to_stage.funnel_position = from_stage.funnel_position + 1
),

cohorts as (
    select distinct
        pipeline_id,
        cohort_month
    from cohort_deals
),

counted as (
    select
        stage_pairs.pipeline_id,
        cohorts.cohort_month,
        stage_pairs.from_stage_id,
        stage_pairs.to_stage_id,
        stage_pairs.from_position,
        count(furthest.deal_id) filter (where furthest.furthest_position >= stage_pairs.from_position)
            as deals_reached_from,
        count(furthest.deal_id) filter (where furthest.furthest_position >= stage_pairs.to_position)
            as deals_reached_to,
        count(furthest.deal_id) as cohort_deals
    from stage_pairs
    inner join cohorts on stage_pairs.pipeline_id = cohorts.pipeline_id
    left join furthest
        on cohorts.pipeline_id = furthest.pipeline_id
        and cohorts.cohort_month = furthest.cohort_month
    group by 1, 2, 3, 4, 5
),

final as (
    select
        pipeline_id,
        cohort_month,
        from_stage_id,
        to_stage_id,
        deals_reached_from,
        deals_reached_to,
        {{ safe_divide('deals_reached_to', 'deals_reached_from') }} as conversion_rate,
        -- extra columns (not in the contract list; safe to add)
        from_position as from_stage_position,
        cohort_deals
    from counted
)

select * from final
