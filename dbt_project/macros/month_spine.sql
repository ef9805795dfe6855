{#
    The one month spine. Month starts (DATE) from the month of `start_month` to the month of
    `end_month`, both inclusive, no gaps; none when start > end or start is NULL. No date-spine
    table, no dbt_utils.

    month_starts: a select-list expression giving one row per month for each input row
    (`select account_id, {{ month_starts('first_month', as_of_month()) }} as month from ...`).
    month_spine: a one-column relation `month_spine(month)` for a FROM clause; the bounds are scalar
    expressions, e.g. the scalar subquery `(select min(month) from account_months)`.
#}
{% macro month_starts(start_month, end_month) -%}
    cast(unnest(generate_series(
        cast(date_trunc('month', {{ start_month }}) as timestamp),
        cast(date_trunc('month', {{ end_month }}) as timestamp),
        interval 1 month
    )) as date)
{%- endmacro %}

{% macro month_spine(start_month, end_month) -%}
    (select {{ month_starts(start_month, end_month) }} as month) as month_spine
{%- endmacro %}
