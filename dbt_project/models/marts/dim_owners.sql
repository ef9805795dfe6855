{#
    One row per HubSpot owner, active or archived (deactivated users keep their records and their
    history in every mart, so the dimension keeps them with a flag).
#}

with

owners as (
    select * from {{ ref('stg_hubspot__owners') }}
),

final as (
    select
        ----------  ids
        owner_id,
        user_id,
        team_id,

        ---------- text
        owner_name,
        first_name,
        last_name,
        email,
        team_name,

        ---------- booleans
        is_archived,

        ---------- timestamps (naive UTC)
        created_at,
        updated_at

    from owners
)

select * from final
