{#
    The dimensional marts keep every live record exactly once: fct_deals has one row per live staged
    deal (not archived, not merged), fct_engagements one per live staged engagement of the five
    types. Returns one row per failing check.
#}

with

live_deals as (
    select count(*) as n
    from {{ ref('stg_hubspot__deals') }}
    where not is_archived
      and not is_merged
),

live_engagements as (
    select sum(n) as n
    from (
        select count(*) as n from {{ ref('stg_hubspot__calls') }} where not is_archived
        union all
        select count(*) from {{ ref('stg_hubspot__emails') }} where not is_archived
        union all
        select count(*) from {{ ref('stg_hubspot__meetings') }} where not is_archived
        union all
        select count(*) from {{ ref('stg_hubspot__notes') }} where not is_archived
        union all
        select count(*) from {{ ref('stg_hubspot__tasks') }} where not is_archived
    )
),

checks as (
    select 'fct_deals rows = live staged deals' as check_name, (select count(*) from {{ ref('fct_deals') }}) as actual, live_deals.n as expected
    from live_deals
    union all
    select 'fct_engagements rows = live staged engagements', (select count(*) from {{ ref('fct_engagements') }}), live_engagements.n
    from live_engagements
)

select * from checks
where actual <> expected
