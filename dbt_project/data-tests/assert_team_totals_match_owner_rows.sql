{#
    In sales_kpis_monthly, each team row's counts and sums equal the sum of that month's owner rows
    (the unowned row included). Returns the months where they differ.
#}

with

kpis as (
    select * from {{ ref('sales_kpis_monthly') }}
),

owner_sums as (
    select
        month,
        sum(deals_won) as deals_won,
        sum(deals_lost) as deals_lost,
        sum(won_amount) as won_amount,
        sum(opportunities_created) as opportunities_created,
        sum(pipeline_created_amount) as pipeline_created_amount
    from kpis
    where not is_team_total
    group by month
),

team as (
    select * from kpis
    where is_team_total
),

final as (
    select
        team.month,
        team.deals_won,
        owner_sums.deals_won as owner_deals_won,
        team.won_amount,
        owner_sums.won_amount as owner_won_amount
    from team
    left join owner_sums on team.month = owner_sums.month
    where team.deals_won <> coalesce(owner_sums.deals_won, 0)
       or team.deals_lost <> coalesce(owner_sums.deals_lost, 0)
       or abs(team.won_amount - coalesce(owner_sums.won_amount, 0)) > 0.005
       or team.opportunities_created <> coalesce(owner_sums.opportunities_created, 0)
       or abs(team.pipeline_created_amount - coalesce(owner_sums.pipeline_created_amount, 0)) > 0.005
)

select * from final
