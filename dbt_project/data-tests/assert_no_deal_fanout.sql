{#
    No join multiplies or drops deals (fivetran's integrity idea):
    - int_deals_enriched has exactly one row per live staged deal (not archived, not merged);
    - the team rows of sales_kpis_monthly count every deal exactly once: won and lost deals by
      close date and opportunities by createdate, up to the as-of date.
    Returns one row per failing check.
#}

with

staged as (
    select count(*) as n
    from {{ ref('stg_hubspot__deals') }}
    where not is_archived
      and not is_merged
),

enriched as (
    select
        count(*) as n,
        count(distinct deal_id) as n_distinct,
        count(*) filter (where is_won and closed_date <= {{ as_of_date() }}) as n_won,
        count(*) filter (where is_lost and closed_date <= {{ as_of_date() }}) as n_lost,
        count(*) filter (where created_date <= {{ as_of_date() }}) as n_created
    from {{ ref('int_deals_enriched') }}
),

kpis as (
    select
        coalesce(sum(deals_won), 0) as n_won,
        coalesce(sum(deals_lost), 0) as n_lost,
        coalesce(sum(opportunities_created), 0) as n_created
    from {{ ref('sales_kpis_monthly') }}
    where is_team_total
),

checks as (
    select 'int_deals_enriched rows = live staged deals' as check_name, enriched.n as actual, staged.n as expected
    from enriched, staged
    union all
    select 'int_deals_enriched deal_id distinct', enriched.n_distinct, enriched.n
    from enriched
    union all
    select 'team deals_won = won deals', kpis.n_won, enriched.n_won
    from kpis, enriched
    union all
    select 'team deals_lost = lost deals', kpis.n_lost, enriched.n_lost
    from kpis, enriched
    union all
    select 'team opportunities_created = created deals', kpis.n_created, enriched.n_created
    from kpis, enriched
)

select * from checks
where actual <> expected
