"""The dbt project as dagster-dbt sees it, and the manifest its assets are defined from.

The manifest is written by `salesmetrics prepare` (which `make install` runs), never by importing
a module: loading Dagster's definitions only reads it, and says what to run when it is missing.
"""

from __future__ import annotations

from dagster_dbt import DbtProject

from pipelines.paths import DBT_PROJECT_DIR

PREPARE_HINT = "run `salesmetrics prepare` (or `make install`), then reload the code location"


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def missing_manifest_message(project: DbtProject) -> str:
    return f"dbt's manifest {project.manifest_path} is missing: the dbt models are not loaded; {PREPARE_HINT}."
