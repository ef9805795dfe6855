"""Reference objects read whole on every sync: owners and deal pipeline stages."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class RawOwners(pa.DataFrameModel):
    """One row per owner, active or deactivated (deals still reference deactivated owners)."""

    id: Series[str] = pa.Field(nullable=False, unique=True)
    email: Series[str] = pa.Field(nullable=True)
    first_name: Series[str] = pa.Field(nullable=True)
    last_name: Series[str] = pa.Field(nullable=True)
    user_id: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    primary_team_id: Series[str] = pa.Field(nullable=True)
    primary_team_name: Series[str] = pa.Field(nullable=True)
    created_at: Series[pd.Timestamp] = pa.Field(nullable=True)
    updated_at: Series[pd.Timestamp] = pa.Field(nullable=True)
    archived: Series[pd.BooleanDtype] = pa.Field(nullable=False)

    class Config:
        strict = True


class RawDealPipelineStages(pa.DataFrameModel):
    """One row per deal pipeline and stage; won/lost is read from `is_closed` and `probability`."""

    pipeline_id: Series[str] = pa.Field(nullable=False)
    pipeline_label: Series[str] = pa.Field(nullable=True)
    pipeline_display_order: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    pipeline_archived: Series[pd.BooleanDtype] = pa.Field(nullable=False)
    stage_id: Series[str] = pa.Field(nullable=False)
    stage_label: Series[str] = pa.Field(nullable=True)
    display_order: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    is_closed: Series[pd.BooleanDtype] = pa.Field(nullable=False)
    probability: Series[float] = pa.Field(nullable=True, in_range={"min_value": 0, "max_value": 1})
    archived: Series[pd.BooleanDtype] = pa.Field(nullable=False)

    class Config:
        strict = True
        unique = ["pipeline_id", "stage_id"]
