{#
    Period cutting in the reporting time zone (var `reporting_timezone`, an IANA name, default UTC).

    Raw timestamps are naive TIMESTAMPs in UTC. `timezone('UTC', ts)` reads the naive value as a UTC
    instant (TIMESTAMPTZ); `timezone(zone, <timestamptz>)` gives the naive local wall-clock time in
    `zone`. Both are independent of the session TimeZone setting, and DST-aware.
    e.g. 2024-01-31 23:30 UTC -> 2024-02-01 01:30 in Africa/Johannesburg (UTC+2) -> month 2024-02.
#}
{% macro reporting_timezone() -%}
    '{{ var("reporting_timezone", "UTC") }}'
{%- endmacro %}

{# naive UTC timestamp -> naive local timestamp in the reporting zone #}
{% macro to_reporting_tz(utc_ts) -%}
    timezone({{ reporting_timezone() }}, timezone('UTC', cast({{ utc_ts }} as timestamp)))
{%- endmacro %}

{# local calendar day (DATE) #}
{% macro reporting_date(utc_ts) -%}
    cast({{ to_reporting_tz(utc_ts) }} as date)
{%- endmacro %}

{# local ISO week start, a Monday (DATE) #}
{% macro reporting_week(utc_ts) -%}
    cast(date_trunc('week', {{ to_reporting_tz(utc_ts) }}) as date)
{%- endmacro %}

{# local month start (DATE) #}
{% macro reporting_month(utc_ts) -%}
    cast(date_trunc('month', {{ to_reporting_tz(utc_ts) }}) as date)
{%- endmacro %}

{#
    A HubSpot *date* property (e.g. a contract start) arrives as midnight UTC of a calendar date and
    means that date in every zone; converting it would move it to the previous day west of UTC.
    So: midnight UTC -> its UTC date; any other time of day is a real instant -> local date.
#}
{% macro calendar_or_reporting_date(utc_ts) -%}
    case
        when cast({{ utc_ts }} as timestamp) = date_trunc('day', cast({{ utc_ts }} as timestamp))
            then cast({{ utc_ts }} as date)
        else {{ reporting_date(utc_ts) }}
    end
{%- endmacro %}
