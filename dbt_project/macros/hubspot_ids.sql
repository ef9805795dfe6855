{#
    HubSpot multi-id properties (`hs_merged_object_ids`) are semicolon-separated strings.
    Returns the list of raw parts to `unnest(...)`; callers trim and drop empty parts
    (no lambdas: their syntax changed in DuckDB 2.0).
#}
{% macro split_hubspot_ids(column) -%}
    string_split(coalesce({{ column }}, ''), ';')
{%- endmacro %}

{#
    The two CTEs that find merged-away records of one object: `merge_links` (survivor -> merged id,
    from each survivor's hs_merged_object_ids) and `merged_away` (<entity>_id,
    merged_into_<entity>_id), preferring a survivor that is not itself merged away (chains of
    merges), lowest id on ties. `source_cte` is a CTE holding the raw rows.
#}
{% macro merged_away_ctes(source_cte, entity) -%}
merge_links as (
    -- a survivor lists in hs_merged_object_ids the ids of the records merged into it
    select distinct survivor_id, trim(merged_part) as merged_id
    from (
        select
            id as survivor_id,
            unnest({{ split_hubspot_ids('hs_merged_object_ids') }}) as merged_part
        from {{ source_cte }}
    )
    where trim(merged_part) <> ''
      and trim(merged_part) <> survivor_id
),

merged_away as (
    select
        merged_id as {{ entity }}_id,
        coalesce(
            min(survivor_id) filter (where survivor_id not in (select merged_id from merge_links)),
            min(survivor_id)
        ) as merged_into_{{ entity }}_id
    from merge_links
    group by merged_id
)
{%- endmacro %}
