with

source as (
    select * from {{ source('hubspot', 'goal_targets') }}
),

renamed as (
    select
        ----------  ids
        id as goal_target_id,
        hs_assignee_user_id as assignee_user_id,
        hs_assignee_team_id as assignee_team_id,
        hs_created_by_user_id as created_by_user_id,

        ---------- text
        hs_goal_name as goal_name,
        hs_goal_type as goal_type,

        ---------- numerics
        hs_target_amount as target_amount,

        ---------- booleans
        coalesce(archived, false) as is_archived,

        ---------- timestamps (naive UTC); the target covers [starts_at, ends_at)
        hs_start_datetime as starts_at,
        hs_end_datetime as ends_at,
        hs_createdate as created_at,
        hs_lastmodifieddate as updated_at,
        created_at as record_created_at,
        updated_at as record_updated_at,
        archived_at,

        ---------- load metadata
        _sync_id as sync_id,
        _loaded_at as loaded_at

    from source
)

select * from renamed
