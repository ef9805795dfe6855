{#
    The activity measures that daily goals (`activity.daily_goals`) and the scorecard
    (`scorecard.measures`) can name: columns of int_rep_activity_daily. pipelines/config.py accepts
    the same names in salesmetrics.yml (ACTIVITY_GOAL_MEASURES).
#}
{% macro activity_measures() -%}
    {{ return(['calls', 'connected_calls', 'meetings_booked', 'emails_sent', 'tasks_completed', 'notes']) }}
{%- endmacro %}

{# The deal measures the scorecard can name besides the activity ones: columns of sales_kpis_monthly. #}
{% macro scorecard_deal_measures() -%}
    {{ return(['opportunities_created', 'deals_won', 'won_amount']) }}
{%- endmacro %}

{#
    The activity columns of the contract, in its order: counts and the ratios taken from exact
    sums, over the additive columns of int_rep_activity_daily (a day) or their sums (a week).
    `relation` qualifies the columns ('daily.'), or is empty.
#}
{% macro activity_columns(relation='') -%}
    {{ relation }}calls,
    {{ relation }}inbound_calls,
    {{ relation }}connected_calls,
    {{ safe_divide(relation ~ 'connected_talk_time_ms', relation ~ 'connected_calls_with_duration * 1000') }}
        as avg_talk_time_seconds,
    {{ safe_divide(relation ~ 'positive_dials', relation ~ 'dials_with_disposition') }} as positive_disposition_rate,
    {{ relation }}meetings_booked,
    {{ safe_divide(relation ~ 'meetings_booked', relation ~ 'connected_calls') }} as meetings_per_conversation,
    {{ relation }}emails_sent,
    {{ relation }}emails_received,
    {{ safe_divide(relation ~ 'emails_received', relation ~ 'emails_sent') }} as emails_received_per_sent,
    {{ relation }}notes,
    {{ relation }}tasks_completed
{%- endmacro %}
