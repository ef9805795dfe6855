{#
    No join multiplies or drops engagements: summed over all rows, rep_activity_daily and
    rep_activity_weekly count exactly the engagements of int_engagements counted on or before the
    as-of date, measure by measure. Returns one row per failing check.
#}

with

engagements as (
    select
        count(*) filter (where is_dial) as calls,
        count(*) filter (where is_inbound_call) as inbound_calls,
        count(*) filter (where is_connected_call) as connected_calls,
        count(*) filter (where is_meeting_booked) as meetings_booked,
        count(*) filter (where is_email_sent) as emails_sent,
        count(*) filter (where is_email_received) as emails_received,
        count(*) filter (where is_note) as notes,
        count(*) filter (where is_task_completed) as tasks_completed,
        count(*) as engagements
    from {{ ref('int_engagements') }}
    where counted_date <= {{ as_of_date() }}
),

{% for mart in ['rep_activity_daily', 'rep_activity_weekly'] %}
{{ mart }}_totals as (
    select
        '{{ mart }}' as mart,
        coalesce(sum(calls), 0) as calls,
        coalesce(sum(inbound_calls), 0) as inbound_calls,
        coalesce(sum(connected_calls), 0) as connected_calls,
        coalesce(sum(meetings_booked), 0) as meetings_booked,
        coalesce(sum(emails_sent), 0) as emails_sent,
        coalesce(sum(emails_received), 0) as emails_received,
        coalesce(sum(notes), 0) as notes,
        coalesce(sum(tasks_completed), 0) as tasks_completed,
        coalesce(sum(engagements), 0) as engagements
    from {{ ref(mart) }}
),
{% endfor %}

totals as (
    select * from rep_activity_daily_totals
    union all
    select * from rep_activity_weekly_totals
),

final as (
    select totals.*
    from totals
    cross join engagements
    where totals.calls <> engagements.calls
       or totals.inbound_calls <> engagements.inbound_calls
       or totals.connected_calls <> engagements.connected_calls
       or totals.meetings_booked <> engagements.meetings_booked
       or totals.emails_sent <> engagements.emails_sent
       or totals.emails_received <> engagements.emails_received
       or totals.notes <> engagements.notes
       or totals.tasks_completed <> engagements.tasks_completed
       or totals.engagements <> engagements.engagements
)

select * from final
