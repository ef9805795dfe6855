"""The dbt models are clean under sqlfluff (.sqlfluff: DuckDB dialect, dbt templater); `make lint-sql` runs
the same command. Its rules are the project's style: a violation names the file, line and rule, and
`sqlfluff fix <file>` repairs most."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQLFLUFF = Path(sys.executable).with_name("sqlfluff")


def test_models_are_clean_under_sqlfluff(tmp_path):
    env = {
        **os.environ,
        "SALESMETRICS_DB": str(tmp_path / "lint.duckdb"),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [str(SQLFLUFF), "lint", "dbt_project/models"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=540
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
