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


def manifest_is_stale() -> bool:
    """No manifest yet, or a file of the dbt project changed after it was written."""
    manifest = DBT_PROJECT.manifest_path
    if not manifest.exists():
        return True
    written = manifest.stat().st_mtime
    skip = {DBT_PROJECT_DIR / "target", DBT_PROJECT_DIR / "logs"}
    return any(path.stat().st_mtime > written for path in DBT_PROJECT_DIR.rglob("*")
               if path.is_file() and not any(parent in skip for parent in path.parents))


def prepare_manifest() -> None:
    """`dbt parse` when the manifest is missing or, under `dagster dev`, older than an edit.

    dagster-dbt's own `prepare_if_dev()` runs the `dbt` found on PATH, which a plain shell (no
    virtualenv activated) does not have: this runs the dbt installed beside this interpreter
    (Dagster's code server runs the environment's python), under the same concurrent-update guard.
    It also skips the parse when nothing changed: every run `dagster dev` launches imports this
    module again, and a parse there would cost each run seconds for nothing.
    """
    stale = manifest_is_stale() if DBT_PROJECT.preparer.using_dagster_dev() else not DBT_PROJECT.manifest_path.exists()
    if stale:
        from pipelines.transform import parse

        run_with_concurrent_update_guard(DBT_PROJECT.manifest_path, parse, db_path=warehouse_path())


prepare_manifest()
