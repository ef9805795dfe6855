{#
    One row per owner and quota period [period_start, period_end) (local dates), every period (also
    those after the as-of date, or empty). Revenue quotas come from live HubSpot goal targets
    (assignee user -> owner through the owner's userId; UTC datetimes -> local dates); deal-count
    and revenue quotas from the quota file (owner by id, or by email case-insensitively), which
    overrides the goal of the same owner and period (an empty revenue cell keeps the goal's).
#}

with

owners as (
    select * from {{ ref('stg_hubspot__owners') }}
),

goal_targets as (
    select * from {{ ref('stg_hubspot__goal_targets') }}
),

file_quotas as (
    select * from {{ ref('stg_salesmetrics_config__quotas') }}
),

owners_by_user as (
    -- one owner per HubSpot user (an active owner record first)
    select
        owner_id,
        cast(user_id as varchar) as user_id
    from owners
    where user_id is not null
    qualify row_number() over (partition by user_id order by is_archived asc, owner_id asc) = 1
),

owners_by_email as (
    -- one owner per email, case-insensitive (an active owner record first)
    select
        owner_id,
        lower(trim(email)) as owner_email
    from owners
    where nullif(trim(email), '') is not null
    qualify row_number() over (partition by lower(trim(email)) order by is_archived asc, owner_id asc) = 1
),

goal_quotas as (
    -- live goal targets assigned to a user who is an owner; team-only goals have no owner
    select
        owners_by_user.owner_id,
        {{ reporting_date('goal_targets.starts_at') }} as period_start,
        {{ reporting_date('goal_targets.ends_at') }} as period_end,
        cast({{ exact_sum('goal_targets.target_amount') }} as double) as quota_revenue
    from goal_targets
    inner join owners_by_user
        on trim(goal_targets.assignee_user_id) = owners_by_user.user_id
    where
        not goal_targets.is_archived
        and goal_targets.starts_at is not null
        and goal_targets.ends_at is not null
    group by 1, 2, 3
),

file_quotas_resolved as (
    -- owner_id when given, else the owner with that email; lines naming no known owner drop out
    select
        coalesce(file_quotas.owner_id, owners_by_email.owner_id) as owner_id,
        file_quotas.period_start,
        file_quotas.period_end,
        cast({{ exact_sum('file_quotas.quota_deals', scale=4) }} as double) as quota_deals,
        cast({{ exact_sum('file_quotas.quota_revenue') }} as double) as quota_revenue
    from file_quotas
    left join owners_by_email
        on
        file_quotas.owner_id is null
        and file_quotas.owner_email = owners_by_email.owner_email
    where coalesce(file_quotas.owner_id, owners_by_email.owner_id) is not null
    group by 1, 2, 3
),

final as (
    -- the file overrides a goal for the same owner and period
    select
        coalesce(file_quotas_resolved.owner_id, goal_quotas.owner_id) as owner_id,
        coalesce(file_quotas_resolved.period_start, goal_quotas.period_start) as period_start,
        coalesce(file_quotas_resolved.period_end, goal_quotas.period_end) as period_end,
        file_quotas_resolved.quota_deals,
        coalesce(file_quotas_resolved.quota_revenue, goal_quotas.quota_revenue) as quota_revenue,
        case
            when file_quotas_resolved.owner_id is null then 'goal'
            when goal_quotas.owner_id is null then 'file'
            else 'file_over_goal'
        end as quota_source
    from file_quotas_resolved
    full outer join goal_quotas
        on
        file_quotas_resolved.owner_id = goal_quotas.owner_id
        and file_quotas_resolved.period_start = goal_quotas.period_start
        and file_quotas_resolved.period_end = goal_quotas.period_end
)

select * from final
