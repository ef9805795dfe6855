{#
    Use a model's custom schema name verbatim (`marts`, not `main_marts`), so BI tools and the
    Python side can rely on `marts.<table>`. Models without a custom schema go to the target schema.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
