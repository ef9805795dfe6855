{#
    Generic test: `expression` holds on every row (rows where it evaluates to NULL pass, as in
    dbt_utils). Restrict the rows checked with the standard `config: {where: ...}`.
    Usable on a model or a column (column_name is then ignored: write it in the expression).
    Replaces dbt_utils.expression_is_true.
#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
