{#
    Generic test: `expression` holds on every row (rows where it evaluates to NULL pass, as in
    dbt_utils). Restrict the rows checked with the standard `config: {where: ...}`.
    Replaces dbt_utils.expression_is_true.
#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
