"""Companies: the accounts that own ARR."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.base import HubSpotRecord


class RawCompanies(HubSpotRecord):
    name: Series[str] = pa.Field(nullable=True)
    domain: Series[str] = pa.Field(nullable=True)
    industry: Series[str] = pa.Field(nullable=True)
    hubspot_owner_id: Series[str] = pa.Field(nullable=True)
    annualrevenue: Series[float] = pa.Field(nullable=True, ge=0)
    createdate: Series[pd.Timestamp] = pa.Field(nullable=True)
    hs_lastmodifieddate: Series[pd.Timestamp] = pa.Field(nullable=False)
    hs_merged_object_ids: Series[str] = pa.Field(nullable=True, str_matches=r"^\d+(;\d+)*$")
