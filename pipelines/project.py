"""Where things are: the dbt project and the warehouse file, shared by Dagster and dbt.

dbt reads the warehouse path from SALESMETRICS_DB (profiles.yml), and runs with the dbt project
as its working directory, so the path is made absolute here, once, before anything starts dbt.
"""

from __future__ import annotations

import os
from pathlib import Path

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
# `dagster dev` re-parses on start; everywhere else a fresh clone has no manifest yet: parse once.
DBT_PROJECT.prepare_if_dev()
if not DBT_PROJECT.manifest_path.exists():
    DBT_PROJECT.preparer.prepare(DBT_PROJECT)
