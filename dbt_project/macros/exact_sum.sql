{#
    The exact sum of `expression`: every value rounded to `scale` decimal places as
    DECIMAL(precision, scale), summed in decimals (DECIMAL(38, scale)). A floating-point sum depends
    on the order DuckDB's parallel aggregation happens to use, and a rebuild must give the same
    marts; money sums to the cent (scale 2), durations in whole milliseconds (scale 0). NULL over no
    rows, like sum(); a FILTER clause may follow.
#}
{% macro exact_sum(expression, scale=2, precision=18) -%}
    sum(cast({{ expression }} as decimal({{ precision }}, {{ scale }})))
{%- endmacro %}

{# A money column as the contract types it: DECIMAL(18,2). #}
{% macro money(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}
