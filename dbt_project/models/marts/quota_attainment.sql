{#
    One row per owner and quota period [period_start, period_end) that has started by the as-of
    date. Revenue quotas come from HubSpot goal targets (assignee user -> owner through the owner's
    userId; UTC datetimes -> local dates); deal-count and revenue quotas from the quota file (owner
    by id, or by email case-insensitively), which overrides goals for the same owner and period.
    Won deals count by local close date, start inclusive, end exclusive, up to the as-of date.
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

deals as (
    select * from {{ ref('int_deals_enriched') }}
),

owners_by_user as (
    -- one owner per HubSpot user (an active owner record first)
    select cast(user_id as varchar) as user_id, owner_id
    from owners
    where user_id is not null
    qualify row_number() over (partition by user_id order by is_archived, owner_id) = 1
),

owners_by_email as (
    -- one owner per email, case-insensitive (an active owner record first)
    select lower(trim(email)) as owner_email, owner_id
    from owners
    where nullif(trim(email), '') is not null
    qualify row_number() over (partition by lower(trim(email)) order by is_archived, owner_id) = 1
),

goal_quotas as (
    -- live goal targets assigned to a user who is an owner; team-only goals have no owner
    select
        owners_by_user.owner_id,
        {{ reporting_date('goal_targets.starts_at') }} as period_start,
        {{ reporting_date('goal_targets.ends_at') }} as period_end,
        -- exact sums (a float sum depends on the order the rows arrive in)
        cast(sum(goal_targets.target_amount::decimal(18, 2)) as double) as quota_revenue
    from goal_targets
    inner join owners_by_user
        on trim(goal_targets.assignee_user_id) = owners_by_user.user_id
    where not goal_targets.is_archived
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
        cast(sum(file_quotas.quota_deals::decimal(18, 4)) as double) as quota_deals,
        cast(sum(file_quotas.quota_revenue::decimal(18, 2)) as double) as quota_revenue
    from file_quotas
    left join owners_by_email
        on file_quotas.owner_id is null
        and file_quotas.owner_email = owners_by_email.owner_email
    where coalesce(file_quotas.owner_id, owners_by_email.owner_id) is not null
    group by 1, 2, 3
),

quotas as (
    -- the file overrides a goal for the same owner and period (an empty revenue cell keeps the goal's)
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
        on file_quotas_resolved.owner_id = goal_quotas.owner_id
        and file_quotas_resolved.period_start = goal_quotas.period_start
        and file_quotas_resolved.period_end = goal_quotas.period_end
),

active_quotas as (
    select * from quotas
    where period_end > period_start
      and period_start <= {{ as_of_date() }}
),

won_deals as (
    select deal_id, owner_id, closed_date, amount
    from deals
    where is_won
      and owner_id is not null
      and closed_date <= {{ as_of_date() }}
),

actuals as (
    select
        active_quotas.owner_id,
        active_quotas.period_start,
        active_quotas.period_end,
        count(won_deals.deal_id) as deals_won,
        coalesce(sum(coalesce(won_deals.amount, 0)::decimal(18, 2)), 0) as won_amount
    from active_quotas
    left join won_deals
        on active_quotas.owner_id = won_deals.owner_id
        and won_deals.closed_date >= active_quotas.period_start
        and won_deals.closed_date < active_quotas.period_end
    group by 1, 2, 3
),

final as (
    select
        active_quotas.period_start,
        active_quotas.period_end,
        active_quotas.owner_id,
        active_quotas.quota_deals,
        actuals.deals_won,
        {{ safe_divide('actuals.deals_won', 'active_quotas.quota_deals') }} as deal_attainment,
        active_quotas.quota_revenue,
        cast(actuals.won_amount as double) as won_amount,
        {{ safe_divide('actuals.won_amount', 'active_quotas.quota_revenue') }} as revenue_attainment,
        -- extra columns (not in the contract list; safe to add)
        active_quotas.quota_source,
        active_quotas.period_end <= {{ as_of_date() }} + 1 as is_period_complete
    from active_quotas
    inner join actuals
        on active_quotas.owner_id = actuals.owner_id
        and active_quotas.period_start = actuals.period_start
        and active_quotas.period_end = actuals.period_end
)

select * from final
