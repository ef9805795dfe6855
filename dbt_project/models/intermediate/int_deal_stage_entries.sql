{#
    One row per live deal and stage it entered on or before the as-of date (local date in the
    reporting zone): the stage history cut at the as-of date. Stage entries are events, so a mart
    built as of a past date must not see moves made after it.

    The deal's current stage counts as entered by the as-of date when neither its history nor its
    close date shows a change after the as-of date (it was already the deal's stage then; this also
    covers a deal whose history is empty). is_stage_at_as_of marks the one stage the deal was in at the end of
    the as-of date: its latest entry on or before it. stage_probability is the stage's current
    metadata (stage metadata is a value, read as it is now; the stage a deal was in is an event).
#}

with

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

stage_history as (
    select * from {{ ref('stg_hubspot__deal_stage_history') }}
),

stages as (
    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}
),

history as (
    select
        deals.deal_id,
        deals.pipeline_id,
        stage_history.deal_stage_id,
        stage_history.changed_at as entered_at,
        {{ reporting_date('stage_history.changed_at') }} as entered_date
    from deals
    inner join stage_history on deals.deal_id = stage_history.deal_id
    where deals.created_date <= {{ as_of_date() }}
),

changed_after_as_of as (
    -- deals whose stage changed after the as-of date: by their history, or by a close since then
    -- (a won or lost deal closed after the as-of date was in another stage then, history or not)
    select deal_id
    from history
    where entered_date > {{ as_of_date() }}
    union
    select deal_id
    from deals
    where is_closed
        and closed_date > {{ as_of_date() }}
),

entries as (
    select
        deal_id,
        pipeline_id,
        deal_stage_id,
        entered_at,
        entered_date,
        false as is_current_stage
    from history
    where entered_date <= {{ as_of_date() }}
    union all
    -- the current stage, undated: it was the deal's stage at the as-of date unless it changed since
    select
        deals.deal_id,
        deals.pipeline_id,
        deals.deal_stage_id,
        null as entered_at,
        null as entered_date,
        true as is_current_stage
    from deals
    left join changed_after_as_of on deals.deal_id = changed_after_as_of.deal_id
    where deals.created_date <= {{ as_of_date() }}
        and deals.deal_stage_id is not null
        and changed_after_as_of.deal_id is null
),

final as (
    select
        entries.deal_id,
        entries.pipeline_id,
        entries.deal_stage_id,
        entries.entered_at,
        entries.entered_date,
        entries.is_current_stage,
        stages.stage_probability,
        -- the stage the deal was in at the as-of date: the current stage when it has not changed
        -- since, else the latest dated entry
        row_number() over (
            partition by entries.deal_id
            order by entries.is_current_stage desc, entries.entered_at desc nulls last, entries.deal_stage_id asc
        ) = 1 as is_stage_at_as_of
    from entries
    left join stages
        on entries.pipeline_id = stages.pipeline_id
        and entries.deal_stage_id = stages.deal_stage_id
)

select * from final
