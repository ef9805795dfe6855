{#
    numerator / denominator as DOUBLE; NULL when the denominator is 0 or NULL (docs/metrics.md:
    "zero denominators give NULL, never an error, never 0"). Every division goes through here.
#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}
