"""DuckDB's memory and threads, capped where the warehouse is opened, and lower while a sync writes.

DuckDB defaults to 80% of the machine's memory and one thread per core, so a sync's peak RSS grew
with the warehouse (903 MB at 1M deals). Two caps, because the two kinds of work need different
amounts:

- a sync writes a few thousand rows at a time: its buffer pool only caches the tables' blocks, so
  a small one costs little (xlarge: peak RSS 478 MB at 64MB, 911 MB uncapped, in the same time);
- dbt builds whole marts with joins, sorts and windows: DuckDB spills most of them to disk past the
  cap, not all (xlarge: `salesmetrics build` ran out of memory at 256MB and 512MB, passed at 1GB).

    SALESMETRICS_DUCKDB_MEMORY_LIMIT       else `warehouse.memory_limit`, else 1GB
    SALESMETRICS_DUCKDB_SYNC_MEMORY_LIMIT  else `warehouse.sync_memory_limit`, else 64MB
                                           (never above the memory limit)
    SALESMETRICS_DUCKDB_THREADS            else `warehouse.threads`, else 2

The caps belong to the process (its memory), so the file's values are set once, when the settings
are read (`configure`), and every connection the process opens afterwards uses them. Every
connection of a process to one file shares one DuckDB instance, so the sync's cap is set for the
instance while it writes and the memory limit again after it (`Warehouse.capped_for_sync`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from pipelines.errors import ConfigError

DEFAULT_MEMORY_LIMIT = "1GB"
DEFAULT_SYNC_MEMORY_LIMIT = "64MB"
DEFAULT_THREADS = 2
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)
_UNIT = {
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


_configured: dict[str, str] = {}  # the configuration file's values, set by `configure`


@dataclass(frozen=True)
class MemoryCap:
    """A memory cap and where a user sets it."""

    value: str
    key: str  # in salesmetrics.yml
    env: str

    def out_of_memory(self) -> ConfigError:
        """The one line for DuckDB running out of memory under this cap."""
        twice = 2 * size_in_bytes(self.value)
        twice_text = f"{twice / 10**9:.3g}GB" if twice >= 10**9 else f"{max(1, round(twice / 10**6))}MB"
        return ConfigError(
            f"DuckDB needed more memory than its cap of {self.value} ({self.key} in salesmetrics.yml, or "
            f"{self.env}): raise it, e.g. to {twice_text}, and run again. The write in progress was rolled back and "
            "everything committed before it is kept; the run resumes."
        )


def is_size(text: str) -> bool:
    return bool(_SIZE.match(text))


def size_in_bytes(text: str) -> int:
    number, unit = _SIZE.match(text).groups()  # type: ignore[union-attr]
    return int(float(number) * _UNIT[unit.lower()])


def configure(memory_limit: str, threads: int, sync_memory_limit: str = DEFAULT_SYNC_MEMORY_LIMIT) -> None:
    """The configuration file's caps for this process (the environment still wins)."""
    _configured.update(memory=str(memory_limit), threads=str(threads), sync_memory=str(sync_memory_limit))


def apply_limits(con: Any) -> Any:
    """Set the caps on a new connection. SET, not `connect(config=...)`: DuckDB refuses a second
    connection to the same file with another config (dbt opens one beside ours in the same process)."""
    for name, value in duckdb_config().items():
        con.execute(f"SET {name} = '{value}'")
    return con


def memory_cap(env: dict[str, str] | None = None) -> MemoryCap:
    """DuckDB's memory cap for everything but a sync's writes (dbt, queries, the BI copy)."""
    return _cap(env, "SALESMETRICS_DUCKDB_MEMORY_LIMIT", "memory", "warehouse.memory_limit", DEFAULT_MEMORY_LIMIT)


def sync_memory_cap(env: dict[str, str] | None = None) -> MemoryCap:
    """The cap while a sync writes: the sync's own, unless the memory limit is lower still."""
    general = memory_cap(env)
    sync = _cap(
        env,
        "SALESMETRICS_DUCKDB_SYNC_MEMORY_LIMIT",
        "sync_memory",
        "warehouse.sync_memory_limit",
        DEFAULT_SYNC_MEMORY_LIMIT,
    )
    return sync if size_in_bytes(sync.value) <= size_in_bytes(general.value) else general


def duckdb_config(env: dict[str, str] | None = None) -> dict[str, str | int]:
    """`duckdb.connect(config=...)` for the warehouse: memory_limit and threads."""
    env = os.environ if env is None else env
    threads = env.get("SALESMETRICS_DUCKDB_THREADS") or _configured.get("threads") or str(DEFAULT_THREADS)
    if not threads.strip().isdigit() or int(threads) < 1:
        raise ConfigError(f"SALESMETRICS_DUCKDB_THREADS must be a whole number of at least 1 (got {threads!r}).")
    return {"memory_limit": memory_cap(env).value, "threads": int(threads)}


def dbt_environment() -> dict[str, str]:
    """The caps for a dbt process or run: profiles.yml sets them on every connection dbt opens
    (`settings:`), since dbt opens its own DuckDB instance, which would otherwise take 80% of RAM."""
    config = duckdb_config()
    return {
        "SALESMETRICS_DUCKDB_MEMORY_LIMIT": str(config["memory_limit"]),
        "SALESMETRICS_DUCKDB_THREADS": str(config["threads"]),
    }


def _cap(env: dict[str, str] | None, name: str, configured: str, key: str, default: str) -> MemoryCap:
    env = os.environ if env is None else env
    value = env.get(name) or _configured.get(configured) or default
    if not is_size(value):
        raise ConfigError(f"{name} must be a size such as 256MB or 1GB (got {value!r}).")
    return MemoryCap(value.replace(" ", ""), key, name)
