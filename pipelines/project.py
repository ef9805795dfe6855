"""Where things are: the dbt project and the warehouse file, shared by Dagster and dbt.

dbt reads the warehouse path from SALESMETRICS_DB (profiles.yml), and runs with the dbt project
as its working directory, so the path is made absolute here, once, before anything starts dbt.
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster._utils import run_with_concurrent_update_guard
from dagster_dbt import DbtProject

from pipelines.settings import DEFAULT_DB

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def warehouse_path() -> Path:
    path = Path(os.environ.get("SALESMETRICS_DB") or REPO_ROOT / DEFAULT_DB).resolve()
    os.environ["SALESMETRICS_DB"] = str(path)
    return path


warehouse_path()
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def prepare_manifest() -> None:
    """`dbt parse` under `dagster dev` (picks up edits) and wherever no manifest exists yet.

    dagster-dbt's own `prepare_if_dev()` runs the `dbt` found on PATH, which a plain shell (no
    virtualenv activated) does not have: this runs the dbt installed beside this interpreter
    (Dagster's code server runs the environment's python), under the same concurrent-update guard.
    """
    if DBT_PROJECT.preparer.using_dagster_dev() or not DBT_PROJECT.manifest_path.exists():
        from pipelines.transform import parse

        run_with_concurrent_update_guard(DBT_PROJECT.manifest_path, parse, db_path=warehouse_path())


prepare_manifest()
