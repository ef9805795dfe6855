"""The `salesmetrics` command: demo, sync, build, run, serve-demo-portal, prepare.

Expected failures (bad configuration, HubSpot refusing the token, a locked warehouse) print one
clear line and exit non-zero, without a traceback and without the token.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines import transform
from pipelines.errors import SalesmetricsError
from pipelines.hubspot.client import HubSpotClient
from pipelines.report import print_summary
from pipelines.settings import Settings
from pipelines.sync import ObjectSyncResult, new_sync_id, sync_portal
from pipelines.warehouse.store import Warehouse

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True, help=__doc__)
console = Console()
err = Console(stderr=True)

DEMO_DB = Path("data/demo.duckdb")
DEMO_TOKEN = "demo-token"

AsOf = Annotated[Optional[str], typer.Option("--as-of", help="Compute marts as of this date (YYYY-MM-DD). Env: SALESMETRICS_AS_OF")]
Tz = Annotated[Optional[str], typer.Option("--timezone", help="Reporting time zone. Env: SALESMETRICS_TIMEZONE")]
Db = Annotated[Optional[Path], typer.Option("--db", help="Warehouse file. Env: SALESMETRICS_DB")]
Full = Annotated[bool, typer.Option("--full", help="Ignore stored cursors and re-read everything.")]


def _settings(**overrides: object) -> Settings:
    return Settings.from_env(**{k: v for k, v in overrides.items() if v is not None})


def _sync(settings: Settings, full: bool) -> list[ObjectSyncResult]:
    client = HubSpotClient(settings.require_token(), settings.base_url)
    with Warehouse(settings.db_path) as warehouse, Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task("syncing", total=None)
        read = {"n": 0}

        def progress(obj: str, n: int) -> None:
            read["n"] += n
            bar.update(task, description=f"syncing {obj}: {read['n']:,} records, {client.request_count:,} requests")

        results = sync_portal(client, warehouse, new_sync_id(), full=full, progress=progress)
    _print_sync(results)
    return results


def _print_sync(results: list[ObjectSyncResult]) -> None:
    table = Table(title="Sync")
    for header in ("object", "mode", "read", "loaded", "quarantined", "requests", "seconds"):
        table.add_column(header, justify="right" if header not in ("object", "mode") else "left")
    for r in results:
        table.add_row(r.object, r.mode, f"{r.records_read:,}", f"{r.records_loaded:,}", f"{r.records_quarantined:,}",
                      f"{r.requests:,}", f"{r.seconds:.1f}")
    console.print(table)


def _build(settings: Settings) -> None:
    with console.status("dbt build"):
        output = transform.build(settings)
    done = [line for line in output.splitlines() if "Done. PASS=" in line]
    console.print(done[-1].strip() if done else "dbt build finished")


@app.command()
def sync(full: Full = False, db: Db = None) -> None:
    """Read HubSpot into the raw layer (incremental after the first sync)."""
    _sync(_settings(db_path=db), full)


@app.command()
def build(as_of: AsOf = None, timezone: Tz = None, db: Db = None) -> None:
    """Run `dbt build` (models, unit tests, data tests) and publish the marts for BI."""
    _build(_settings(as_of=as_of, timezone=timezone, db_path=db))


@app.command()
def run(full: Full = False, as_of: AsOf = None, timezone: Tz = None, db: Db = None) -> None:
    """Sync, then build."""
    settings = _settings(as_of=as_of, timezone=timezone, db_path=db)
    _sync(settings, full)
    _build(settings)
    print_summary(settings.db_path, console)


@app.command()
def demo(
    size: Annotated[str, typer.Option(help="small | medium | large")] = "small",
    seed: Annotated[int, typer.Option(help="Seed of the generated portal.")] = 7,
    db: Annotated[Path, typer.Option(help="Warehouse file.")] = DEMO_DB,
    as_of: AsOf = None,
    timezone: Tz = None,
) -> None:
    """Run the whole pipeline on the built-in demo portal (no HubSpot account needed)."""
    from pipelines.demo_portal import DemoPortalServer, generate_portal

    started = time.perf_counter()
    settings = _settings(as_of=as_of, timezone=timezone, db_path=db)
    portal = generate_portal(seed=seed, size=size, end_date=settings.as_of)
    with DemoPortalServer(portal, token=DEMO_TOKEN) as server:
        console.print(f"demo portal ({size}, seed {seed}) serving at {server.url}")
        demo_settings = Settings(
            access_token=None, base_url=server.url, db_path=settings.db_path, as_of=settings.as_of,
            timezone=settings.timezone, quotas_path=settings.quotas_path,
        )
        client = HubSpotClient(DEMO_TOKEN, server.url)
        with Warehouse(demo_settings.db_path) as warehouse:
            results = sync_portal(client, warehouse, new_sync_id(), full=False)
        _print_sync(results)
        requests = server.request_count
    _build(demo_settings)
    print_summary(demo_settings.db_path, console)
    console.print(
        f"demo finished in {time.perf_counter() - started:.1f} s; {requests:,} HTTP requests to the portal; "
        f"warehouse {demo_settings.db_path}, BI copy {transform.published_path(demo_settings.db_path)}"
    )


@app.command("serve-demo-portal")
def serve_demo_portal(
    port: Annotated[int, typer.Option(help="Port to listen on (0 = any free port).")] = 8765,
    seed: Annotated[int, typer.Option()] = 7,
    size: Annotated[str, typer.Option(help="small | medium | large")] = "small",
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    token: Annotated[Optional[str], typer.Option(help="Accept only this bearer token (default: any).")] = None,
) -> None:
    """Serve the demo portal over HTTP, speaking HubSpot's wire format, until Ctrl-C."""
    from pipelines.demo_portal import serve_forever

    serve_forever(port=port, seed=seed, size=size, host=host, token=token)


@app.command()
def prepare() -> None:
    """Parse the dbt project (writes the manifest Dagster's dbt assets are built from)."""
    settings = _settings()
    transform.parse(settings.db_path)
    console.print(f"dbt manifest written to {transform.DBT_PROJECT_DIR / 'target' / 'manifest.json'}")


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app(standalone_mode=False)
    except SalesmetricsError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors carry their own exit codes
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
