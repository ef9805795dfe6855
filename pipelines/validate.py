"""Split a typed frame into valid rows and quarantined rows, with the reason for each.

Bad records never stop a sync and are never dropped silently: every rejected row keeps the check
that failed, the column and the value. A failure that is not tied to a row (a missing column, a
wrong dtype) is a bug or schema drift, and raises.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from pipelines.hubspot.flatten import ParseFailure

QUARANTINE_COLUMNS = ["row", "check_name", "column_name", "failure_value"]


@dataclass(frozen=True)
class Validated:
    valid: pd.DataFrame
    rejected: pd.DataFrame  # one row per (row, failed check); `row` is the frame index label

    @property
    def rejected_rows(self) -> int:
        return int(self.rejected["row"].nunique())


def validate_frame(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema | type[pa.DataFrameModel],
    parse_failures: list[ParseFailure] = (),
) -> Validated:
    """Validate `frame` lazily; return its valid rows and a table of rejections.

    Rows whose values did not parse are rejected first (their NULLs would otherwise pass a
    nullable check). The remaining rows are validated with `schema`.
    """
    rejected = [pd.DataFrame([(f.row, f.check, f.column, f.value) for f in parse_failures], columns=QUARANTINE_COLUMNS)]
    remaining = frame.drop(index=sorted({f.row for f in parse_failures}))
    # Two passes at most: after dropping the rows that failed, the rest must validate.
    for _ in range(2):
        try:
            valid = schema.validate(remaining, lazy=True)
            break
        except pa.errors.SchemaErrors as errors:
            cases = errors.failure_cases
            unplaced = cases[cases["index"].isna()]
            if not unplaced.empty:
                raise SchemaDriftError(unplaced) from errors
            rejected.append(
                pd.DataFrame(
                    {
                        "row": cases["index"].astype("int64"),
                        "check_name": cases["check"].astype("str"),
                        "column_name": cases["column"].astype("str").where(cases["schema_context"] == "Column", None),
                        "failure_value": cases["failure_case"].map(_as_text),
                    }
                )
            )
            remaining = remaining.drop(index=cases["index"].astype("int64").unique())
    else:  # pragma: no cover - a schema that rejects rows it accepted a pass ago
        raise RuntimeError("validation did not converge")
    # A record-level check reports each column of a failing row; one reason per row and check is
    # enough (the quarantine keeps the whole raw record).
    reasons = (
        pd.concat(rejected, ignore_index=True)
        .drop_duplicates(subset=["row", "check_name", "column_name"])
        .sort_values(["row", "column_name"])
    )
    return Validated(valid=valid, rejected=reasons.reset_index(drop=True))


def _as_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA or value is pd.NaT:
        return None
    return str(value)


class SchemaDriftError(RuntimeError):
    """The frame does not have the shape the schema expects (a column or dtype, not a value)."""

    def __init__(self, cases: pd.DataFrame):
        detail = "; ".join(f"{r.column}: {r.check} ({r.failure_case})" for r in cases.itertuples())
        super().__init__(f"schema drift, not bad records: {detail}")
