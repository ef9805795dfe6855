with

source as (
    select * from {{ source('hubspot', 'owners') }}
),

renamed as (
    select
        ----------  ids
        id as owner_id,
        user_id,
        primary_team_id as team_id,

        ---------- text
        email,
        first_name,
        last_name,
        nullif(trim(concat_ws(' ', first_name, last_name)), '') as owner_name,
        primary_team_name as team_name,

        ---------- booleans (archived = deactivated user; their records still count)
        coalesce(archived, false) as is_archived,

        ---------- timestamps (naive UTC)
        created_at,
        updated_at,

        ---------- load metadata
        _sync_id as sync_id,
        _loaded_at as loaded_at

    from source
)

select * from renamed
