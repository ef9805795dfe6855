"""Goal targets: time-sliced revenue goals (quotas) assigned to HubSpot users."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.base import HubSpotRecord


class RawGoalTargets(HubSpotRecord):
    hs_goal_name: Series[str] = pa.Field(nullable=True)
    hs_target_amount: Series[float] = pa.Field(nullable=True, ge=0)
    hs_start_datetime: Series[pd.Timestamp] = pa.Field(nullable=False)
    hs_end_datetime: Series[pd.Timestamp] = pa.Field(nullable=False)
    hs_assignee_user_id: Series[str] = pa.Field(nullable=True)
    hs_assignee_team_id: Series[str] = pa.Field(nullable=True)
    hs_created_by_user_id: Series[str] = pa.Field(nullable=True)
    hs_goal_type: Series[str] = pa.Field(nullable=True)
    hs_createdate: Series[pd.Timestamp] = pa.Field(nullable=True)
    hs_lastmodifieddate: Series[pd.Timestamp] = pa.Field(nullable=False)

    @pa.dataframe_check(name="goal_period_is_not_empty")
    def goal_period_is_not_empty(cls, df: pd.DataFrame) -> pd.Series:
        """A goal's period ends after it starts (half-open [start, end))."""
        return df["hs_end_datetime"] > df["hs_start_datetime"]
