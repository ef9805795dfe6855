{#
    One row per call outcome GUID: HubSpot's six standard outcomes (seed) and the portal's own
    (raw.call_dispositions). The portal's label wins; a GUID the portal does not list keeps the
    standard label. GUIDs are compared in lower case.
#}

with

standard as (
    select * from {{ ref('standard_call_dispositions') }}
),

portal as (
    select * from {{ ref('stg_hubspot__call_dispositions') }}
),

standard_keyed as (
    select
        lower(trim(id)) as call_disposition_id,
        label as standard_label
    from standard
),

final as (
    select
        coalesce(portal.call_disposition_id, standard_keyed.call_disposition_id) as call_disposition_id,
        coalesce(portal.call_disposition_label, standard_keyed.standard_label) as call_disposition_label,
        standard_keyed.call_disposition_id is not null as is_standard,
        case
            when portal.call_disposition_label is not null then 'portal'
            else 'standard'
        end as label_source
    from standard_keyed
    full outer join portal
        on standard_keyed.call_disposition_id = portal.call_disposition_id
)

select * from final
