"""One hold on the warehouse file for a whole command, from before the first request to the publish.

DuckDB locks a file per process, and every connection this process opens to the same file shares
one database instance: the sync's, the `config` tables', dbt's (dbt runs in this process) and the
publish's. Keeping one connection open across all of them keeps the file locked without a gap, so
no reader and no second run gets in between (they get exit 5 naming this process), and nothing of
the run (no dbt child) can outlive it.
"""

from __future__ import annotations

import atexit
from pathlib import Path

import duckdb

from pipelines.warehouse.store import connect

_held: dict[Path, duckdb.DuckDBPyConnection] = {}


def hold(path: Path) -> None:
    """Open the warehouse read-write and keep it open until `release` (or the process ends)."""
    key = Path(path).resolve()
    if key not in _held:
        key.parent.mkdir(parents=True, exist_ok=True)
        _held[key] = connect(key)


def release(path: Path) -> None:
    """Let other processes (BI tools, the next run) open the file again."""
    con = _held.pop(Path(path).resolve(), None)
    if con is not None:
        con.close()


@atexit.register
def _release_all() -> None:
    for path in list(_held):
        release(path)
