"""Deals and their child rows (stage history, company associations)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.base import HubSpotRecord, with_known_stages


class RawDeals(HubSpotRecord):
    """One row per deal. Money is never negative; probabilities are fractions."""

    dealname: Series[str] = pa.Field(nullable=True)
    amount: Series[float] = pa.Field(nullable=True, ge=0)
    amount_in_home_currency: Series[float] = pa.Field(nullable=True, ge=0)
    deal_currency_code: Series[str] = pa.Field(nullable=True, str_matches=r"^[A-Z]{3}$")
    pipeline: Series[str] = pa.Field(nullable=False)
    dealstage: Series[str] = pa.Field(nullable=False)
    closedate: Series[pd.Timestamp] = pa.Field(nullable=True)
    createdate: Series[pd.Timestamp] = pa.Field(nullable=False)
    hs_lastmodifieddate: Series[pd.Timestamp] = pa.Field(nullable=False)
    hubspot_owner_id: Series[str] = pa.Field(nullable=True)
    hs_is_closed: Series[pd.BooleanDtype] = pa.Field(nullable=True)
    hs_is_closed_won: Series[pd.BooleanDtype] = pa.Field(nullable=True)
    hs_deal_stage_probability: Series[float] = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": 1})
    dealtype: Series[str] = pa.Field(nullable=True)
    hs_merged_object_ids: Series[str] = pa.Field(nullable=True, str_matches=r"^\d+(;\d+)*$")
    contract_term_months: Series[float] = pa.Field(nullable=True, gt=0)
    contract_start_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    cost_of_fulfillment: Series[float] = pa.Field(nullable=True, ge=0)
    primary_company_id: Series[str] = pa.Field(nullable=True)


def deals_schema(known_stage_ids: set[str] | None) -> pa.DataFrameSchema:
    """`RawDeals`, plus: the deal's stage exists in the portal's pipelines (when they are known)."""
    return with_known_stages(RawDeals, "dealstage", known_stage_ids)


class RawDealStageHistory(pa.DataFrameModel):
    """One row per value a deal's `dealstage` has had (from propertiesWithHistory)."""

    deal_id: Series[str] = pa.Field(nullable=False)
    dealstage: Series[str] = pa.Field(nullable=False)
    changed_at: Series[pd.Timestamp] = pa.Field(nullable=False)
    source_type: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = True


class RawDealCompanies(pa.DataFrameModel):
    """One row per deal and associated company (HubSpot repeats them per association type)."""

    deal_id: Series[str] = pa.Field(nullable=False)
    company_id: Series[str] = pa.Field(nullable=False)
    is_primary: Series[pd.BooleanDtype] = pa.Field(nullable=False)

    class Config:
        strict = True
        unique = ["deal_id", "company_id"]
