"""DuckDB's memory and threads, capped where the warehouse is opened.

DuckDB defaults to 80% of the machine's memory and one thread per core, so a sync's peak RSS grew
with the warehouse (903 MB at 1M deals). A sync writes a few thousand rows at a time: a small
buffer pool and two threads are enough (measured in `make bench`), and DuckDB spills to disk past
the limit instead of failing.

    SALESMETRICS_DUCKDB_MEMORY_LIMIT   else `warehouse.memory_limit` in salesmetrics.yml, else 256MB
    SALESMETRICS_DUCKDB_THREADS        else `warehouse.threads`, else 2

The caps belong to the process (its memory), so the file's values are set once, when the settings
are read (`configure`), and every connection the process opens afterwards uses them.
"""

from __future__ import annotations

import os
import re
from typing import Any

from pipelines.errors import ConfigError

DEFAULT_MEMORY_LIMIT = "256MB"
DEFAULT_THREADS = 2
_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


_configured: dict[str, str] = {}  # the configuration file's values, set by `configure`


def is_size(text: str) -> bool:
    return bool(_SIZE.match(text))


def configure(memory_limit: str, threads: int) -> None:
    """The configuration file's caps for this process (the environment still wins)."""
    _configured.update(memory=str(memory_limit), threads=str(threads))


def apply_limits(con: Any) -> Any:
    """Set the caps on a new connection. SET, not `connect(config=...)`: DuckDB refuses a second
    connection to the same file with another config (dbt opens one beside ours in the same process)."""
    for name, value in duckdb_config().items():
        con.execute(f"SET {name} = '{value}'")
    return con


def duckdb_config(env: dict[str, str] | None = None) -> dict[str, str | int]:
    """`duckdb.connect(config=...)` for the warehouse: memory_limit and threads."""
    env = os.environ if env is None else env
    memory = env.get("SALESMETRICS_DUCKDB_MEMORY_LIMIT") or _configured.get("memory") or DEFAULT_MEMORY_LIMIT
    if not is_size(memory):
        raise ConfigError(f"SALESMETRICS_DUCKDB_MEMORY_LIMIT must be a size such as 256MB or 1GB (got {memory!r}).")
    threads = env.get("SALESMETRICS_DUCKDB_THREADS") or _configured.get("threads") or str(DEFAULT_THREADS)
    if not threads.strip().isdigit() or int(threads) < 1:
        raise ConfigError(f"SALESMETRICS_DUCKDB_THREADS must be a whole number of at least 1 (got {threads!r}).")
    return {"memory_limit": memory.replace(" ", ""), "threads": int(threads)}
