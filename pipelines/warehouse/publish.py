"""Publishing the marts for BI tools: a DuckDB copy that DuckDB 1.x opens, and one Parquet file per mart.

DuckDB takes one writer and no reader beside it, so BI tools never open the warehouse itself; they
read copies that are replaced whole after every build. Both copies are written beside the
warehouse under a temporary name, flushed to disk, then swapped in with one atomic rename, so a
reader sees the previous build or the new one, never a half-written file:

- `<stem>.bi.duckdb`: written through `ATTACH ... (STORAGE_VERSION ...)` because the BI tools embed
  DuckDB 1.x (Metabase's JDBC driver 1.5, Superset's `duckdb<2`, Evidence's node API 1.4+), which
  cannot read DuckDB 2.0's default storage. A reader that keeps the old file open keeps reading the
  old build (POSIX keeps a replaced file's inode alive); a new connection sees the new one.
- `<stem>.marts/<mart>.parquet`: `<stem>.marts` is a symlink to a versioned directory
  `<stem>.marts.versions/<version>/`, and a build swaps the symlink with one rename. A directory
  cannot be renamed over a non-empty one, and replacing file by file would let a reader combine
  marts of two builds; the symlink switches every file at once, and a reader that resolves it once
  (`os.path.realpath`) reads one consistent build. The previous versions stay on disk for readers
  still using them (`KEEP_VERSIONS`), older ones are deleted.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipelines.warehouse.store import connect

MARTS_SCHEMA = "marts"
# The storage format of DuckDB 1.0, which every DuckDB 1.x reads (a `v1.4.0` file needs 1.4 or
# later). Measured on the large demo's marts (1.1 million rows): 28.6 MB and 3.0 s of CPU, against
# 28.3 MB and 2.4 s for `v1.4.0` (`benchmarks/publish.py`).
BI_STORAGE_VERSION = "v1.0.0"
# Versions of the Parquet directory kept: the current one and the two before it.
KEEP_VERSIONS = 3


@dataclass(frozen=True)
class Published:
    duckdb_copy: Path
    parquet_dir: Path
    marts: tuple[str, ...]


def bi_copy_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".bi.duckdb")


def parquet_dir_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".marts")


def publish(db_path: Path) -> Published:
    """Write both BI copies of the warehouse's marts and swap them in atomically.

    The caller must have closed its own connection to the warehouse (DuckDB allows one writer).
    """
    db_path = Path(db_path)
    # read-write although it only reads: the writer's lock keeps two publishes from running at once
    con = connect(db_path)
    try:
        marts = tuple(
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_catalog = current_database() "
                "and table_schema = ? and table_type = 'BASE TABLE' order by 1",
                [MARTS_SCHEMA],
            ).fetchall()
        )
        copy = _publish_duckdb_copy(con, marts, bi_copy_path(db_path))
        parquet = _publish_parquet(con, marts, parquet_dir_path(db_path))
    finally:
        con.close()
    return Published(duckdb_copy=copy, parquet_dir=parquet, marts=marts)


def _publish_duckdb_copy(con, marts: tuple[str, ...], target: Path) -> Path:
    """Every mart into `<target>.next` in DuckDB 1.x storage, in one transaction, then rename it over target."""
    staging = target.with_name(target.name + ".next")
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)  # a crash of an earlier publish
    con.execute(f"attach '{_sql_path(staging)}' as bi_copy (read_write, storage_version '{BI_STORAGE_VERSION}')")
    try:
        con.execute(f"create schema bi_copy.{MARTS_SCHEMA}")
        con.execute("begin transaction")
        for mart in marts:
            con.execute(f"create table bi_copy.{MARTS_SCHEMA}.{mart} as from {MARTS_SCHEMA}.{mart}")
        _publish_quarantine(con, "bi_copy.pipeline")
        con.execute("commit")
        con.execute("checkpoint bi_copy")
    finally:
        con.execute("detach bi_copy")
    wal = staging.with_name(staging.name + ".wal")
    if wal.exists():  # checkpointed and detached: everything is in the file itself
        raise RuntimeError(f"publishing left a write-ahead log behind: {wal}")
    fsync(staging)
    os.replace(staging, target)
    fsync(target.parent)
    return target


def _publish_parquet(con, marts: tuple[str, ...], link: Path) -> Path:
    """Every mart as Parquet into a new version directory, then point the `<stem>.marts` symlink at it."""
    versions = link.with_name(link.name + ".versions")
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + f"-{os.getpid()}"
    directory = versions / version
    directory.mkdir(parents=True)
    for mart in marts:
        file = directory / f"{mart}.parquet"
        con.execute(f"copy {MARTS_SCHEMA}.{mart} to '{_sql_path(file)}' (format parquet, compression zstd)")
        fsync(file)
    fsync(directory)
    fsync(versions)
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)  # a plain directory from a copy made by hand: replaced once by the link
    next_link = link.with_name(link.name + ".next")
    next_link.unlink(missing_ok=True)
    next_link.symlink_to(Path(versions.name) / version, target_is_directory=True)
    os.replace(next_link, link)
    fsync(link.parent)
    _prune(versions, keep=KEEP_VERSIONS, current=version)
    return link


def _prune(versions: Path, keep: int, current: str) -> None:
    """Delete all but the newest `keep` version directories (names sort by time); never the current one."""
    old = sorted(p for p in versions.iterdir() if p.is_dir() and p.name != current)
    for path in old[: max(len(old) - (keep - 1), 0)]:
        shutil.rmtree(path, ignore_errors=True)


def fsync(path: Path) -> None:
    """Flush a file (or a directory's entries) to disk before and after an atomic swap."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _publish_quarantine(con, schema: str) -> None:
    """The records held back, with the reason, as `pipeline.quarantine` in the BI copy: an analyst
    sees what the marts do not count and why. Its own schema, so `marts` holds exactly the marts; the
    raw record is JSON text (BI tools embedding DuckDB 1.x may lack the json extension)."""
    con.execute(f"create schema {schema}")
    has_raw = con.execute(
        "select count(*) from information_schema.tables where table_catalog = current_database() "
        "and table_schema = 'raw' and table_name = 'quarantine'"
    ).fetchone()[0]
    if not has_raw:  # a warehouse with marts but no raw layer (built elsewhere): nothing held back here
        return
    con.execute(
        f"create table {schema}.quarantine as select object, record_id, check_name, column_name, failure_value, "
        "raw_record::varchar as raw_record, sync_id, quarantined_at from raw.quarantine order by quarantined_at, object"
    )
