{#
    Month starts (DATE) from the month of `start_month` to the month of `end_month`, both inclusive,
    as a list expression to `unnest(...)`; works per row (no date-spine table, no dbt_utils).
    Empty when start > end.
#}
{% macro month_series(start_month, end_month) -%}
    generate_series(
        cast(date_trunc('month', {{ start_month }}) as timestamp),
        cast(date_trunc('month', {{ end_month }}) as timestamp),
        interval 1 month
    )
{%- endmacro %}

{# A one-column relation `month` (DATE) for a FROM clause. #}
{% macro month_spine(start_month, end_month) -%}
    (select cast(unnest({{ month_series(start_month, end_month) }}) as date) as month)
{%- endmacro %}
