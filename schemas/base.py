"""Columns every flattened HubSpot CRM object has (the record envelope), and the check of a stage column."""

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


def with_known_stages(
    model: type[pa.DataFrameModel], column: str, known_stage_ids: set[str] | None
) -> pa.DataFrameSchema:
    """`model`, plus: `column` holds a stage of the portal's pipelines (when they are known).

    A record in an unknown stage cannot be classed won, lost or open, so it is quarantined rather
    than guessed at."""
    schema = model.to_schema()
    if not known_stage_ids:
        return schema
    stage = schema.columns[column]
    name = f"{column}_in_pipelines"
    check = pa.Check.isin(sorted(known_stage_ids), name=name, error=name)
    return schema.update_column(column, checks=[*stage.checks, check])
