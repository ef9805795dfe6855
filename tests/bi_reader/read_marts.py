"""A BI reader, run by the tests under the DuckDB 1.x of `.venv-bi-reader` (no project imports).

    read_marts.py dump <copy.duckdb> <marts dir>       every mart of both copies as JSON rows
    read_marts.py loop <kind> <path> <stop file>       read until the stop file exists; JSON figures

Loop kinds, each what some BI tool does:
- `connect`: a new read-only connection to the DuckDB copy per read (Metabase, Superset pools);
- `hold`: one connection kept open for 0.75 s, across publishes (a long-lived dashboard
  session): it keeps reading the build it opened (`changed_while_held` counts otherwise), and a
  reconnect shows a newer build (`held_across_publish` counts those);
- `parquet`: each mart file by its stable path `<stem>.marts/<mart>.parquet`;
- `parquet-snapshot`: the symlink resolved once per pass, every mart read from that one build.

DuckDB opens a Parquet file by its path more than once in one query (its footer when planning, its
data when scanning): when the path is swapped in between, one query combines the footer of one
build with the data of the next (a `parquet` reader counts these as torn). Only a reader that
resolves the link first reads files that never change (`parquet-snapshot`).

In the loop, every row of every table carries the build's `version` and a table of version v has
`rows_for(v)` rows: a table whose rows disagree or whose count is wrong is `torn` (half written);
tables of one pass from different builds are `mixed`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import duckdb


HOLD_SECONDS = 0.75
PAUSE_SECONDS = 0.005  # between passes: four readers must not starve the publisher of two cores


def rows_for(version: int, table_index: int) -> int:
    return 2_000 + 100 * version + table_index


def dump(copy: str, marts_dir: str) -> None:
    con = duckdb.connect(copy, read_only=True)
    tables = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
    out = {"duckdb_version": duckdb.__version__, "copy": {}, "parquet": {}}
    for table in tables:
        out["copy"][table] = sorted(json.dumps(r, default=str) for r in con.execute(f"from marts.{table}").fetchall())
    for file in sorted(Path(marts_dir).glob("*.parquet")):
        rows = con.execute("from read_parquet(?)", [str(file)]).fetchall()
        out["parquet"][file.stem] = sorted(json.dumps(r, default=str) for r in rows)
    con.close()
    print(json.dumps(out))


def check_table(con, source: str, index: int) -> tuple[int | None, str | None]:
    """(version, what is wrong or None) of one table."""
    versions, count = con.execute(f"select list(distinct version), count(*) from {source}").fetchone()
    if len(versions) != 1 or count != rows_for(versions[0], index):
        return None, f"t{index}: versions {versions}, {count} rows"
    return versions[0], None


def loop(kind: str, path: str, stop_file: str) -> None:
    figures = {"kind": kind, "reads": 0, "errors": 0, "torn": 0, "mixed": 0, "versions": [], "error_samples": [],
               "changed_while_held": 0, "held_across_publish": 0, "torn_samples": []}
    seen: set[int] = set()
    con = None
    opened_at, held_version = 0.0, None
    while not os.path.exists(stop_file):
        try:
            if kind in ("connect", "hold"):
                if con is None or kind == "connect" or time.monotonic() - opened_at > HOLD_SECONDS:
                    if con is not None:
                        con.close()
                    con = duckdb.connect(path, read_only=True)
                    opened_at, previous, held_version = time.monotonic(), held_version, None
                    if kind == "hold" and previous is not None:
                        version = con.execute("select max(version) from marts.t0").fetchone()[0]
                        figures["held_across_publish"] += version > previous
                tables = [f"marts.t{i}" for i in range(3)]
            else:
                con = con or duckdb.connect()
                base = os.path.realpath(path) if kind == "parquet-snapshot" else path
                tables = [f"read_parquet('{base}/t{i}.parquet')" for i in range(3)]
            versions = set()
            for index, source in enumerate(tables):
                version, torn = check_table(con, source, index)
                figures["reads"] += 1
                if torn:
                    figures["torn"] += 1
                    if len(figures["torn_samples"]) < 3:
                        figures["torn_samples"].append(torn)
                versions.add(version)
            figures["mixed"] += len(versions) > 1
            if kind == "hold":
                if held_version is not None and versions != {held_version}:
                    figures["changed_while_held"] += 1
                held_version = held_version if held_version is not None else min((v for v in versions if v is not None), default=None)
            seen |= {v for v in versions if v is not None}
            time.sleep(PAUSE_SECONDS)
        except Exception as exc:  # counted, never fatal: the test asserts there are none
            figures["errors"] += 1
            if len(figures["error_samples"]) < 3:
                figures["error_samples"].append(f"{type(exc).__name__}: {exc}"[:300])
            if kind in ("connect", "hold") and con is not None:
                con.close()
                con = None
            time.sleep(0.01)
    figures["versions"] = sorted(seen)
    figures["last_version"] = max(seen) if seen else None
    print(json.dumps(figures))


if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3])
    else:
        loop(sys.argv[2], sys.argv[3], sys.argv[4])
