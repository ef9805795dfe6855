"""Where the checkout's own files are: the one module that knows the repository's layout.

Everything else asks here instead of walking up from its own `__file__`, so moving a module never
moves the dbt project or the default warehouse.
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# Relative on purpose: the CLI writes under the directory it runs in; Dagster anchors it here.
DEFAULT_DB = Path("data/salesmetrics.duckdb")
