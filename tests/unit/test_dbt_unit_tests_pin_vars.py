"""Every dbt unit test pins every project var, so that its fixtures mean the same thing in any run.

`dbt build` runs the unit tests with the analyst's --vars (reporting zone, as-of date, defaults). A
test that leaves one unpinned passes or fails with the analyst's settings while the data is fine: a
build in America/Los_Angeles once stopped at a quota test written for UTC.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

DBT = Path(__file__).resolve().parents[2] / "dbt_project"
PROJECT_VARS = set(yaml.safe_load((DBT / "dbt_project.yml").read_text())["vars"])


def unit_tests() -> list:
    return [
        pytest.param(test, id=f"{test['model']}::{test['name']}")
        for path in sorted((DBT / "models").rglob("*.yml"))
        for test in yaml.safe_load(path.read_text()).get("unit_tests") or []
    ]


def test_every_var_the_pipeline_passes_is_a_declared_project_var(tmp_path):
    from datetime import date

    from pipelines.settings import Settings

    settings = Settings(
        access_token=None,
        base_url="http://127.0.0.1:9",
        db_path=tmp_path / "w.duckdb",
        as_of=date(2024, 2, 29),
        timezone="America/Los_Angeles",
        quotas_path=None,
    )
    assert set(settings.dbt_vars()) <= PROJECT_VARS
    assert len(list(unit_tests())) > 40


@pytest.mark.parametrize("test", unit_tests())
def test_unit_test_pins_every_project_var(test):
    pinned = set((test.get("overrides") or {}).get("vars") or {})
    assert not PROJECT_VARS - pinned, f"{test['name']} does not pin {sorted(PROJECT_VARS - pinned)}"
