{#
    One row per live deal (archived and merged-away deals removed): outcome from stage metadata,
    money in the home currency, contract defaults, account, and periods in the reporting zone.
#}

with

deals as (
    select * from {{ ref('stg_hubspot__deals') }}
),

stages as (
    select * from {{ ref('stg_hubspot__deal_pipeline_stages') }}
),

companies as (
    select * from {{ ref('stg_hubspot__companies') }}
),

live_deals as (
    select * from deals
    where not is_archived
        and not is_merged
),

company_accounts as (
    -- a company merged away resolves to its survivor; a deleted (archived) company is no account
    select
        companies.company_id,
        case
            when coalesce(survivors.is_archived, companies.is_archived) then null
            else coalesce(survivors.company_id, companies.company_id)
        end as account_id
    from companies
    left join companies as survivors
        on companies.is_merged
        and survivors.company_id = companies.merged_into_company_id
),

joined as (
    select
        live_deals.*,
        stages.deal_stage_id is not null as has_stage_metadata,
        stages.is_closed_stage,
        stages.stage_probability,
        stages.deal_stage_label,
        -- a company not (yet) synced keeps its id as the account
        case
            when company_accounts.company_id is null then live_deals.primary_company_id
            else company_accounts.account_id
        end as account_id
    from live_deals
    left join stages
        on live_deals.pipeline_id = stages.pipeline_id
        and live_deals.deal_stage_id = stages.deal_stage_id
    left join company_accounts
        on live_deals.primary_company_id = company_accounts.company_id
),

outcomes as (
    select
        *,
        case
            -- stage metadata decides (never the label); HubSpot's flags only when it cannot
            when has_stage_metadata and not is_closed_stage then 'open'
            when has_stage_metadata and stage_probability >= 1 then 'won'
            when has_stage_metadata and stage_probability <= 0 then 'lost'
            when coalesce(is_closed_won_hubspot, false) then 'won'
            when coalesce(is_closed_hubspot, false) then 'lost'
            else 'open'
        end as outcome,
        case
            when has_stage_metadata
                and (not is_closed_stage or stage_probability >= 1 or stage_probability <= 0)
                then 'stage_metadata'
            else 'hubspot_flags'
        end as outcome_source,
        -- home / deal-currency factor; 1 when HubSpot gives no home amount (amount already home)
        case
            when amount_in_home_currency is null then 1.0
            else {{ safe_divide('amount_in_home_currency', 'amount') }}
        end as currency_factor,
        case
            when contract_term_months > 0 then contract_term_months
            else {{ var('default_contract_term_months', 12) }}
        end as term_months,
        {{ reporting_date('closed_at') }} as closed_date_local,
        {{ calendar_or_reporting_date('contract_start_at') }} as contract_start_date_local
    from joined
),

final as (
    select
        ----------  ids
        deal_id,
        pipeline_id,
        deal_stage_id,
        owner_id,
        account_id,
        primary_company_id,

        ---------- text
        deal_name,
        deal_type,
        currency_code,
        deal_stage_label,
        outcome,
        outcome_source,

        ---------- booleans
        outcome = 'won' as is_won,
        outcome = 'lost' as is_lost,
        outcome in ('won', 'lost') as is_closed,
        is_closed_won_hubspot,
        coalesce(is_closed_won_hubspot <> (outcome = 'won'), false) as has_outcome_mismatch,
        contract_term_months is null or contract_term_months <= 0 as is_default_term,
        contract_start_at is null as is_default_contract_start,

        ---------- money (home currency)
        coalesce(amount_in_home_currency, amount) as amount,
        cost_of_fulfillment * currency_factor as cost_of_fulfillment,
        amount as amount_deal_currency,
        cost_of_fulfillment as cost_deal_currency,
        currency_factor,

        ---------- stage (metadata of the current stage; HubSpot's own value when there is none)
        coalesce(stage_probability, hubspot_stage_probability) as stage_probability,

        ---------- contract
        term_months as contract_term_months,
        coalesce(contract_start_date_local, closed_date_local) as contract_start_date,

        ---------- timestamps (naive UTC)
        created_at,
        closed_at,

        ---------- periods (reporting time zone)
        {{ reporting_date('created_at') }} as created_date,
        {{ reporting_month('created_at') }} as created_month,
        closed_date_local as closed_date,
        {{ reporting_month('closed_at') }} as closed_month,

        ---------- durations: fractional days (seconds / 86,400)
        {{ safe_divide('epoch_ms(closed_at) - epoch_ms(created_at)', 86400000) }} as sales_cycle_days

    from outcomes
)

select * from final
