"""Running dbt (the metric formulas all live there), then publishing the marts for BI
(`pipelines.warehouse.publish`).

`build` runs dbt in this process (dbt's programmatic runner): dbt-duckdb's connection then shares
the database instance of the caller's open connections, so a command that holds the warehouse
(`pipelines.warehouse.hold`) keeps it locked through dbt, and no dbt process can outlive it.
`parse` and `docs` run dbt as a child process that dies with its parent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipelines import failures, interrupts
from pipelines.errors import TransformError
from pipelines.paths import DBT_PROJECT_DIR
from pipelines.settings import Settings
from pipelines.warehouse import limits
from pipelines.warehouse.config_tables import write_config_tables
from pipelines.warehouse.publish import publish
from pipelines.warehouse.store import Warehouse


def dbt_variables(db_path: Path | str) -> dict[str, str]:
    """What salesmetrics sets for every dbt it starts, the CLI's or dagster-dbt's: the warehouse path
    (profiles.yml reads it), DuckDB's caps, and no telemetry."""
    return {
        **limits.dbt_environment(),
        "SALESMETRICS_DB": str(Path(db_path).resolve()),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
    }


def dbt_env(db_path: Path) -> dict[str, str]:
    """The environment of a dbt child process: this one's, with `dbt_variables`."""
    return {**os.environ, **dbt_variables(db_path)}


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(args: list[str], db_path: Path, capture: bool = True) -> str:
    """Run one dbt command against the warehouse; raise `TransformError` with dbt's errors on failure."""
    command = [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    proc = subprocess.run(
        command,
        env=dbt_env(db_path),
        capture_output=capture,
        text=True,
        cwd=DBT_PROJECT_DIR,
        preexec_fn=_die_with_parent,
    )
    output = (proc.stdout or "") + (proc.stderr or "")
    if proc.returncode != 0:
        errors = [line for line in output.splitlines() if "ERROR" in line or "FAIL" in line or "Error" in line]
        tail = "\n".join((errors or output.splitlines())[-15:])
        raise TransformError(f"dbt {args[0]} failed (exit {proc.returncode}):\n{tail}")
    return output


def _die_with_parent() -> None:
    """In the dbt child: the kernel sends SIGTERM when the parent dies, even by SIGKILL (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


# dbt's node statuses -> the columns of its own "Done. PASS=..." line
_SUMMARY = {
    "success": "PASS",
    "pass": "PASS",
    "warn": "WARN",
    "error": "ERROR",
    "fail": "ERROR",
    "runtime error": "ERROR",
    "partial success": "WARN",
    "skipped": "SKIP",
    "no-op": "NO-OP",
}


def run_dbt_in_process(args: list[str], db_path: Path) -> str:
    """Run one dbt command in this process; return dbt's summary line ("Done. PASS=... TOTAL=...").

    Raises `TransformError` naming the failing nodes, or the disk error behind them; a Ctrl-C
    during dbt (dbt cancels its queries) comes back out as `KeyboardInterrupt`.
    """
    from dbt.cli.main import dbtRunner

    command = [
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--log-level",
        "none",
    ]
    # A build's artifacts go beside, not over, the manifest that `prepare` wrote for Dagster: a code
    # location loading while a CLI build runs must never read a half-written manifest.
    target = os.environ.get("DBT_TARGET_PATH") or str(DBT_PROJECT_DIR / "target" / "build")
    with environment({**dbt_variables(db_path), "DBT_TARGET_PATH": target}):
        try:
            outcome = dbtRunner().invoke(command)
        finally:
            _close_dbt_connection()
    # An interrupt can reach dbt's main thread inside a DuckDB query, which turns it into a
    # RuntimeError that dbt records as a node error: the flag the signal set says what happened.
    if isinstance(outcome.exception, KeyboardInterrupt) or interrupts.STOP.is_set():
        raise KeyboardInterrupt
    results = list(getattr(outcome.result, "results", None) or [])
    counts = Counter(_SUMMARY.get(str(getattr(r.status, "value", r.status)), "ERROR") for r in results)
    summary = "Done. " + " ".join(f"{k}={counts[k]}" for k in ("PASS", "WARN", "ERROR", "SKIP", "NO-OP"))
    summary += f" TOTAL={len(results)}"
    if outcome.success:
        return summary
    failed = [r for r in results if _SUMMARY.get(str(getattr(r.status, "value", r.status))) == "ERROR"]
    details = [f"{r.node.resource_type} {r.node.name}: {_first_line(r.message)}" for r in failed]
    if outcome.exception is not None:
        details.append(_first_line(str(outcome.exception)))
    # dbt's first line of a node's error only names the node ("Runtime Error in model ..."): the
    # cause (an out-of-memory, a full disk) is on the lines after it.
    causes = [str(r.message) for r in failed] + ([str(outcome.exception)] if outcome.exception is not None else [])
    known = failures.explain(Exception(" ".join(causes)))
    if known is not None:
        raise known
    shown = "; ".join(details[:3]) + (f"; and {len(details) - 3} more" if len(details) > 3 else "")
    raise TransformError(
        f"dbt {args[0]} failed ({summary[6:]}): {shown or 'no detail'}. "
        f"Details in {DBT_PROJECT_DIR / 'logs' / 'dbt.log'}."
    )


def _first_line(text: object) -> str:
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[0][:300] if lines else ""


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """`values` in this process's environment for a block, then what was there before: dbt reads
    its settings (and profiles.yml the warehouse path) from the environment, in this process
    (`dbtRunner`) or in the child dagster-dbt starts with this process's environment."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _close_dbt_connection() -> None:
    """dbt-duckdb keeps its database open at class level after a command; close it now, not at exit."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def prepare_build(settings: Settings) -> list[str]:
    """Everything dbt needs besides the data; returns the `dbt build` arguments.

    Opening the warehouse fails early with a clear message if another process holds the file, and
    creates the raw layer (dbt's sources read its tables even before a first sync); the analyst's
    configuration is written to the `config` schema.

    The formulas' unit tests are left out, as dbt advises for production builds: their inputs are
    fixed rows with every var pinned, so no data or setting of a build can change their outcome,
    and they were 21 s of a 51 s build of the demo portal on 2 cores. `make test` runs them (a
    plain `dbt build` in tests/integration/test_dbt_project.py); `dbt test --select test_type:unit`
    runs them by hand.
    """
    with Warehouse(settings.db_path) as warehouse:
        write_config_tables(warehouse.con, settings.config, settings.as_of, settings.quotas_path)
    return ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps(settings.dbt_vars())]


def build(settings: Settings, select: str | None = None) -> str:
    """`dbt build` (models and data tests) with the settings' as-of date and time zone."""
    args = prepare_build(settings)
    if select:
        args += ["--select", select]
    output = run_dbt_in_process(args, settings.db_path)
    publish(settings.db_path)
    return output


def parse(db_path: Path) -> None:
    """Write dbt's manifest (Dagster's dbt assets are defined from it)."""
    run_dbt(["parse", "--quiet"], db_path)
