{#
    HubSpot multi-id properties (`hs_merged_object_ids`) are semicolon-separated strings.
    Returns the list of raw parts to `unnest(...)`; callers trim and drop empty parts
    (no lambdas: their syntax changed in DuckDB 2.0).
#}
{% macro split_hubspot_ids(column) -%}
    string_split(coalesce({{ column }}, ''), ';')
{%- endmacro %}
