{#
    The as-of date (var `as_of_date`, 'YYYY-MM-DD', a local date in the reporting zone). Nothing after
    it counts and monthly series end with its month. Empty or unset = today in the reporting zone,
    which is not reproducible: the pipeline always passes it.
#}
{% macro as_of_date() -%}
    {%- set value = var("as_of_date", "") -%}
    {%- if value is none or (value | string | trim) == "" -%}
        cast(timezone({{ reporting_timezone() }}, current_timestamp) as date)
    {%- else -%}
        {%- set text = value | string | trim -%}
        {%- if not modules.re.match("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", text) -%}
            {{ exceptions.raise_compiler_error("var as_of_date must be 'YYYY-MM-DD', got '" ~ text ~ "'") }}
        {%- endif -%}
        date '{{ text }}'
    {%- endif -%}
{%- endmacro %}

{% macro as_of_month() -%}
    cast(date_trunc('month', {{ as_of_date() }}) as date)
{%- endmacro %}
