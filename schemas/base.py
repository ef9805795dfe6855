"""Columns every flattened HubSpot CRM object has (the record envelope)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class HubSpotRecord(pa.DataFrameModel):
    """Envelope of a CRM record. Types are already parsed by flattening; no coercion here, so a
    wrong dtype is a bug in our code, not bad data."""

    id: Series[str] = pa.Field(nullable=False, str_matches=r"^\d+$")
    created_at: Series[pd.Timestamp] = pa.Field(nullable=True)
    updated_at: Series[pd.Timestamp] = pa.Field(nullable=False)
    archived: Series[pd.BooleanDtype] = pa.Field(nullable=False)
    archived_at: Series[pd.Timestamp] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = False
