"""The quota file an analyst maintains (CSV): deal-count and revenue quotas per owner and period."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class QuotaFile(pa.DataFrameModel):
    """One row per owner (by id or email) and period [period_start, period_end)."""

    owner_id: Series[str] = pa.Field(nullable=True)
    owner_email: Series[str] = pa.Field(nullable=True)
    period_start: Series[pd.Timestamp] = pa.Field(nullable=False)
    period_end: Series[pd.Timestamp] = pa.Field(nullable=False)
    quota_deals: Series[float] = pa.Field(nullable=True, ge=0)
    quota_revenue: Series[float] = pa.Field(nullable=True, ge=0)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check(name="owner_is_named")
    def owner_is_named(cls, df: pd.DataFrame) -> pd.Series:
        """Each row names its owner by owner_id or owner_email."""
        return df["owner_id"].notna() | df["owner_email"].notna()

    @pa.dataframe_check(name="period_is_not_empty")
    def period_is_not_empty(cls, df: pd.DataFrame) -> pd.Series:
        """A quota period ends after it starts."""
        return df["period_end"] > df["period_start"]

    @pa.dataframe_check(name="has_a_quota")
    def has_a_quota(cls, df: pd.DataFrame) -> pd.Series:
        """Each row sets a deal-count quota, a revenue quota, or both."""
        return df["quota_deals"].notna() | df["quota_revenue"].notna()
