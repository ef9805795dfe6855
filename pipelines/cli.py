"""The `salesmetrics` command: demo, sync, build, run, dashboard, serve-demo-portal, prepare.

Expected failures (bad configuration, HubSpot refusing the token, a locked warehouse) print one
clear line and exit non-zero, without a traceback and without the token.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
import time
from datetime import datetime
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from typer.exceptions import TyperException

from pipelines import dashboard, failures, interrupts, portals, transform
from pipelines.cli_help import epilog
from pipelines.errors import ConfigError, SalesmetricsError, UsageError, exit_code
from pipelines.hubspot.client import HubSpotClient
from pipelines.paths import DBT_PROJECT_DIR
from pipelines.quotas import check_quota_owners, hubspot_owners
from pipelines.report import print_summary
from pipelines.settings import Settings, parse_date
from pipelines.sync import (
    DEFAULT_WORKERS,
    REFERENCE_OBJECTS,
    ObjectSyncResult,
    crm_objects,
    new_sync_id,
    reconcile_ids,
    sync_portal,
)
from pipelines.tables import print_table
from pipelines.warehouse.hold import hold, release
from pipelines.warehouse.publish import bi_copy_path, parquet_dir_path
from pipelines.warehouse.store import Warehouse

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="HubSpot -> validated DuckDB warehouse -> dbt sales-metric marts.",
    epilog=epilog(),
    # Plain help text: the epilog's lists keep their lines (rich markup would reflow them).
    rich_markup_mode=None,
)
console = Console()
err = Console(stderr=True)

DEMO_DB = Path("data/demo.duckdb")
DEMO_TOKEN = "demo-token"
DEMO_REVENUE_TARGET = 4_500_000.0

AsOf = Annotated[
    str | None, typer.Option("--as-of", help="Compute marts as of this date (YYYY-MM-DD). Env: SALESMETRICS_AS_OF")
]
Tz = Annotated[str | None, typer.Option("--timezone", help="Reporting time zone. Env: SALESMETRICS_TIMEZONE")]
Db = Annotated[Path | None, typer.Option("--db", help="Warehouse file. Env: SALESMETRICS_DB")]
Full = Annotated[bool, typer.Option("--full", help="Ignore stored cursors and re-read everything.")]
Config = Annotated[Path | None, typer.Option("--config", help="Configuration file. Env: SALESMETRICS_CONFIG")]
Workers = Annotated[int, typer.Option("--workers", help="Objects read concurrently (the rate limit bounds requests).")]
Json = Annotated[
    bool, typer.Option("--json", help="Print one JSON document per object on stdout (JSON lines), nothing else.")
]
Portal = Annotated[
    str | None, typer.Option("--portal", help="The portal of salesmetrics.yml's `portals:` list to use.")
]
AllPortals = Annotated[
    bool, typer.Option("--all-portals", help="Every portal of salesmetrics.yml, each in its own process.")
]
Parallelism = Annotated[int, typer.Option("--parallelism", min=1, help="With --all-portals: portals run at once.")]


def _print_version(value: bool) -> None:
    if value:
        print(f"salesmetrics {package_version('salesmetrics')}")
        raise typer.Exit()


@app.callback()
def global_options(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, callback=_print_version, help="Print the version and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors (and --json documents).")] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose", "-v", count=True, show_default=False, help="Log each step (-v) or everything (-vv) on stderr."
        ),
    ] = 0,
) -> None:
    """HubSpot -> validated DuckDB warehouse -> dbt sales-metric marts."""
    console.quiet = quiet
    if verbose:
        logging.getLogger().setLevel(logging.DEBUG if verbose > 1 else logging.INFO)


def _emit_json(kind: str, document: dict[str, object]) -> None:
    """One JSON line on stdout, whatever the console's quiet or terminal state."""
    sys.stdout.write(json.dumps({"kind": kind, **document}, default=str) + "\n")
    sys.stdout.flush()


def _sync_document(r: ObjectSyncResult) -> dict[str, object]:
    return {
        **dataclasses.asdict(r),
        "seconds": round(r.seconds, 3),
        "cursor": r.cursor.isoformat() if r.cursor else None,
    }


def _settings(portal: str | None = None, single_only: bool = False, **overrides: object) -> Settings:
    """The command's settings: the `--portal` of salesmetrics.yml's list, else the single portal."""
    return portals.resolve_settings(portal, single_only=single_only, **overrides)


def _all_portals(
    command: str, config: Path | None, parallelism: int, args: list[str], db: Path | None, portal: str | None
) -> None:
    """`--all-portals`: each portal in its own process (pipelines/fleet/runner.py)."""
    if db is not None or portal is not None:
        raise UsageError("--all-portals runs every portal with its own warehouse: drop --db and --portal.")
    settings = Settings.from_env(**({"config_path": config} if config else {}))
    if not settings.config.portals:
        raise ConfigError("--all-portals: salesmetrics.yml has no `portals:` list (see README, Many portals).")
    from pipelines.fleet.runner import run_all_portals

    run_all_portals(
        command,
        settings.config.portals,
        [*args, *(["--config", str(config)] if config else [])],
        parallelism,
        console,
        err,
    )


class SyncProgress:
    """Live progress on the terminal: a line per object with records read, requests and request rate."""

    def __init__(self, client: HubSpotClient):
        self.client = client
        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<22}"),
            TextColumn("{task.fields[records]:>10,} records"),
            TextColumn("{task.fields[requests]:>7,} requests"),
            TextColumn("{task.fields[rate]:>6.1f} req/s"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=console.quiet or not err.is_terminal,  # no progress in logs, none when quiet
        )
        self.tasks: dict[str, int] = {}
        self.started = time.perf_counter()
        # Under `--all-portals` the parent draws a line per portal from these documents.
        self.json_progress = bool(os.environ.get("SALESMETRICS_PROGRESS_JSON"))
        self.records, self.emitted = 0, 0.0

    def __enter__(self) -> SyncProgress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)

    def __call__(self, obj: str, n: int) -> None:
        interrupts.stop_if_requested()  # called between pages by every sync thread
        if obj not in self.tasks:
            self.tasks[obj] = self.bar.add_task(obj, total=None, records=0, requests=0, rate=0.0)
        task = self.tasks[obj]
        records = self.bar.tasks[task].fields["records"] + n
        requests = self.client.requests_for(obj)
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        self.bar.update(task, records=records, requests=requests, rate=self.client.request_count / elapsed)
        if self.json_progress:
            self.records += n
            if time.perf_counter() - self.emitted > 1:
                self.emitted = time.perf_counter()
                _emit_json("progress", {"records": self.records, "requests": self.client.request_count})


def _sync(
    settings: Settings,
    full: bool = False,
    window: tuple[datetime, datetime] | None = None,
    workers: int = DEFAULT_WORKERS,
    as_json: bool = False,
) -> list[ObjectSyncResult]:
    client = settings.client()
    sync_id, objects = new_sync_id(), crm_objects(settings.property_mapping)
    hold(settings.db_path)  # until the publish, or the end of the command
    check_quota_owners(settings.quotas_path, settings.db_path, lambda: hubspot_owners(client))
    with Warehouse(settings.db_path) as warehouse, SyncProgress(client) as progress:
        try:
            results = sync_portal(
                client,
                warehouse,
                sync_id,
                full=full,
                window=window,
                objects=objects,
                progress=progress,
                workers=workers,
            )
        except KeyboardInterrupt:
            interrupts.left_behind(_interrupted_sync(warehouse, sync_id, len(objects) + len(REFERENCE_OBJECTS)))
            raise
    if as_json:
        for r in results:
            _emit_json("sync", _sync_document(r))
    else:
        _print_sync(results)
    return results


def _interrupted_sync(warehouse: Warehouse, sync_id: str, total: int) -> str:
    finished = [
        row[0]
        for row in warehouse.con.execute(
            "select object from raw.sync_log where sync_id = ? order by finished_at", [sync_id]
        ).fetchall()
    ]
    return (
        f"the sync had finished {len(finished)} of {total} objects ({', '.join(finished) or 'none'}), committed "
        "with their cursors; the others keep every batch already loaded and their previous cursor; "
        "the marts and the BI copy are unchanged"
    )


def _print_sync(results: list[ObjectSyncResult]) -> None:
    rows = [
        (
            r.object,
            r.mode,
            f"{r.records_read:,}",
            f"{r.records_loaded:,}",
            f"{r.records_quarantined:,}",
            f"{r.requests:,}",
            f"{r.seconds:.1f}",
        )
        for r in results
    ]
    print_table(
        console,
        "Sync",
        ("object", "mode", "read", "loaded", "quarantined", "requests", "seconds"),
        rows,
        text_columns=2,
    )
    quarantined = sum(r.records_quarantined for r in results)
    if quarantined:
        console.print(f"{quarantined:,} records quarantined with their reasons: see table raw.quarantine")


def _build(settings: Settings, as_json: bool = False) -> None:
    interrupts.left_behind(
        "the raw layer is committed; dbt was stopped mid-build (each model is replaced whole "
        "or not at all) and the BI copy is still the last published one"
    )
    hold(settings.db_path)
    check_quota_owners(settings.quotas_path, settings.db_path)
    with console.status("dbt build"):
        output = transform.build(settings)
    interrupts.stop_if_requested()
    release(settings.db_path)  # published: readers may open the main file again
    done = [line.split("Done. ", 1)[1] for line in output.splitlines() if "Done. PASS=" in line]
    page = dashboard.write_dashboard(settings.db_path, settings.as_of, settings.timezone)
    if portals.portal_of(settings):  # one of many portals: the fleet copy and page follow its build
        from pipelines.fleet.view import write_fleet

        write_fleet(settings.config, settings.as_of)
    if as_json:
        counts = dict(item.split("=", 1) for item in done[-1].split()) if done else {}
        _emit_json("build", {k.lower().replace("-", "_"): int(v) for k, v in counts.items()})
    else:
        console.print(f"dbt build: {done[-1].strip()}" if done else "dbt build finished")
        console.print(f"dashboard: {page}", highlight=False)
    interrupts.left_behind("the sync, the marts, the BI copy and the dashboard are all committed")


@app.command()
def sync(
    full: Full = False,
    db: Db = None,
    config: Config = None,
    workers: Workers = DEFAULT_WORKERS,
    as_json: Json = False,
    portal: Portal = None,
    all_portals: AllPortals = False,
    parallelism: Parallelism = 2,
) -> None:
    """Read HubSpot into the raw layer (incremental after the first sync)."""
    if all_portals:
        return _all_portals(
            "sync", config, parallelism, [*(["--full"] if full else []), "--workers", str(workers)], db, portal
        )
    _sync(_settings(portal, db_path=db, config_path=config), full, workers=workers, as_json=as_json)


@app.command()
def backfill(
    start: Annotated[str, typer.Option("--start", help="First day of the window (YYYY-MM-DD, UTC), inclusive.")],
    end: Annotated[str, typer.Option("--end", help="Day after the window (YYYY-MM-DD, UTC), exclusive.")],
    db: Db = None,
    config: Config = None,
    workers: Workers = DEFAULT_WORKERS,
    as_json: Json = False,
    portal: Portal = None,
) -> None:
    """Re-read records modified in [start, end); safe beside the daily sync (upsert, newest wins)."""
    settings = _settings(portal, db_path=db, config_path=config)
    window = (
        datetime.combine(parse_date(start, "--start"), datetime.min.time()),
        datetime.combine(parse_date(end, "--end"), datetime.min.time()),
    )
    if window[1] <= window[0]:
        raise UsageError(f"--end ({end}) must be after --start ({start}): the window is [start, end).")
    _sync(settings, window=window, workers=workers, as_json=as_json)


@app.command()
def reconcile(db: Db = None, config: Config = None, as_json: Json = False, portal: Portal = None) -> None:
    """Remove raw records HubSpot no longer has at all (hard/GDPR deletes). Lists every id: run weekly."""
    settings = _settings(portal, db_path=db, config_path=config)
    client = settings.client()
    with Warehouse(settings.db_path) as warehouse:
        removed = reconcile_ids(client, warehouse, new_sync_id(), crm_objects(settings.property_mapping))
    if as_json:
        for name, n in removed.items():
            _emit_json("reconcile", {"object": name, "removed": n, "requests": client.requests_for(name)})
        return
    for name, n in removed.items():
        console.print(f"{name}: {n:,} removed")
    console.print(f"{client.request_count:,} requests")


@app.command()
def build(
    as_of: AsOf = None,
    timezone: Tz = None,
    db: Db = None,
    config: Config = None,
    as_json: Json = False,
    portal: Portal = None,
    all_portals: AllPortals = False,
    parallelism: Parallelism = 2,
) -> None:
    """Run `dbt build` (models and data tests) and publish the marts for BI."""
    if all_portals:
        return _all_portals("build", config, parallelism, _date_flags(as_of, timezone), db, portal)
    _build(_settings(portal, as_of=as_of, timezone=timezone, db_path=db, config_path=config), as_json=as_json)


def _date_flags(as_of: str | None, timezone: str | None) -> list[str]:
    return [*(["--as-of", as_of] if as_of else []), *(["--timezone", timezone] if timezone else [])]


@app.command()
def run(
    full: Full = False,
    as_of: AsOf = None,
    timezone: Tz = None,
    db: Db = None,
    config: Config = None,
    workers: Workers = DEFAULT_WORKERS,
    as_json: Json = False,
    portal: Portal = None,
    all_portals: AllPortals = False,
    parallelism: Parallelism = 2,
) -> None:
    """Sync, then build."""
    if all_portals:
        return _all_portals(
            "run",
            config,
            parallelism,
            [*(["--full"] if full else []), "--workers", str(workers), *_date_flags(as_of, timezone)],
            db,
            portal,
        )
    settings = _settings(portal, as_of=as_of, timezone=timezone, db_path=db, config_path=config)
    _sync(settings, full, workers=workers, as_json=as_json)
    _build(settings, as_json=as_json)
    if not as_json:
        print_summary(settings.db_path, settings.as_of, console)


@app.command()
def demo(
    size: Annotated[str, typer.Option(help="small | medium | large")] = "small",
    seed: Annotated[int, typer.Option(help="Seed of the generated portal.")] = 7,
    db: Annotated[Path, typer.Option(help="Warehouse file.")] = DEMO_DB,
    as_of: AsOf = None,
    timezone: Tz = None,
    config: Config = None,
) -> None:
    """Run the whole pipeline on the built-in demo portal (no HubSpot account needed)."""
    from pipelines.demo_portal import SIZES, DemoPortalServer, generate_portal

    started = time.perf_counter()
    settings = _settings(single_only=True, as_of=as_of, timezone=timezone, db_path=db, config_path=config)
    if size not in SIZES:
        raise UsageError(f"--size must be one of {', '.join(SIZES)} (got {size!r}).")
    portal = generate_portal(seed=seed, size=size, end_date=settings.as_of)
    with DemoPortalServer(portal, token=DEMO_TOKEN) as server:
        console.print(f"demo portal ({size}, seed {seed}) serving at {server.url}")
        demo_settings = settings.model_copy(update={"access_token": SecretStr(DEMO_TOKEN), "base_url": server.url})
        if not settings.config.north_star.targets(settings.as_of):
            # The demo portal's sales org, given a yearly target so the north-star plan has a row.
            north_star = settings.config.north_star.model_copy(update={"revenue_target": DEMO_REVENUE_TARGET})
            config = settings.config.model_copy(update={"north_star": north_star})
            demo_settings = demo_settings.model_copy(update={"config": config})
        _sync(demo_settings)
        requests = server.request_count
    _build(demo_settings)
    print_summary(demo_settings.db_path, demo_settings.as_of, console)
    console.print(
        f"demo finished in {time.perf_counter() - started:.1f} s; {requests:,} HTTP requests to the portal; "
        f"warehouse {demo_settings.db_path}, BI copy {bi_copy_path(demo_settings.db_path)}, "
        f"Parquet {parquet_dir_path(demo_settings.db_path)}/"
    )


@app.command("dashboard")
def serve_dashboard(
    port: Annotated[int, typer.Option(help="Port to listen on (0 = any free port).")] = 8050,
    host: Annotated[str, typer.Option(help="Address to bind; the default keeps it on this machine.")] = "127.0.0.1",
    db: Db = None,
    config: Config = None,
    portal: Portal = None,
) -> None:
    """Serve the dashboard page of the warehouse until Ctrl-C; an open page follows new builds by itself."""
    from pipelines.dashboard.server import dashboard_server, serve_until_stopped

    page = dashboard.dashboard_path(_settings(portal, db_path=db, config_path=config).db_path)
    try:
        server = dashboard_server(page, host=host, port=port)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror}); pick another --port (0 = any free port)."
        ) from None
    console.print(
        f"dashboard of {page} at http://{host}:{server.server_port}/ (Ctrl-C stops)", highlight=False, soft_wrap=True
    )
    sys.stdout.flush()  # the address is what a caller waits for
    serve_until_stopped(server)
    console.print("dashboard server stopped")


@app.command("serve-demo-portal")
def serve_demo_portal(
    port: Annotated[int, typer.Option(help="Port to listen on (0 = any free port).")] = 8765,
    seed: Annotated[int, typer.Option()] = 7,
    size: Annotated[str, typer.Option(help="small | medium | large")] = "small",
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    token: Annotated[str | None, typer.Option(help="Accept only this bearer token (default: any).")] = None,
) -> None:
    """Serve the demo portal over HTTP, speaking HubSpot's wire format, until Ctrl-C."""
    from pipelines.demo_portal import serve_forever

    serve_forever(port=port, seed=seed, size=size, host=host, token=token)


@app.command()
def prepare() -> None:
    """Parse the dbt project (writes the manifest Dagster's dbt assets are built from)."""
    settings = _settings(single_only=True)
    transform.parse(settings.db_path)
    console.print(f"dbt manifest written to {DBT_PROJECT_DIR / 'target' / 'manifest.json'}")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    interrupts.install()
    code = None
    try:
        code = app(standalone_mode=False)
    except TyperException as exc:  # usage errors (typer's vendored click): its usage message, exit 2
        _show_usage_error(exc)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        code = exit_code("interrupted")
    except Exception as exc:
        if not interrupts.STOP.is_set():
            _fail(exc if isinstance(exc, SalesmetricsError) else failures.explain(exc) or exc)
    # A library may turn the interrupt into its own error (DuckDB raises "Query interrupted") or
    # swallow it; the flag the signal set still says what happened.
    if interrupts.STOP.is_set():
        code = exit_code("interrupted")
    if code == exit_code("interrupted"):  # typer turns KeyboardInterrupt into a returned 130
        err.print(interrupts.summary(), highlight=False, soft_wrap=True)
        sys.exit(code)


def _fail(exc: Exception) -> None:
    """One line and the error's exit code; an error nobody expected keeps its traceback (a bug)."""
    if not isinstance(exc, SalesmetricsError):
        raise exc
    err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    sys.exit(exc.exit_code)


def _show_usage_error(exc: TyperException) -> None:
    """What typer prints in standalone mode: the usage line, the error, and the pointer to --help."""
    show = getattr(exc, "show", None)
    show() if show else err.print(f"error: {exc}", highlight=False)


if __name__ == "__main__":
    main()
