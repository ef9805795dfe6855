"""The fleet view: every portal's marts in one BI copy, and one page comparing the portals.

After any portal's build (`salesmetrics run/build --portal`, each portal of `--all-portals`, a
Dagster run of a portal partition), beside the first listed portal's warehouse:

- `fleet.bi.duckdb`: schema `marts` holds every mart of every portal, its rows exactly the portal's
  own (read from the portal's published `<stem>.bi.duckdb`, never from its warehouse, so no
  portal's lock is touched), with two leading columns: `portal` and `currency` (the portal's home
  currency from salesmetrics.yml; NULL when not configured: money is never converted or guessed).
  `pipeline.quarantine` likewise; `pipeline.portals` lists each portal, its files and when its copy
  was published. Same storage as the portals' copies (DuckDB 1.0 format, read by every DuckDB 1.x),
  written under a temporary name and swapped in atomically, like every BI copy.
- `fleet.dashboard.html`: a self-contained page, one row per portal: ARR and customers, NRR, win
  rate, quota attainment and pipeline coverage side by side, each linked to the portal's own page.

Builds of several portals finish at any moment: writers take `fleet.lock` (an flock) in turn, and
each writes the fleet from the copies published by then, so the last build leaves a complete fleet.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import html
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from pipelines.dashboard.page import dashboard_path
from pipelines.portals import PortalConfig, fleet_dir
from pipelines.warehouse.publish import BI_STORAGE_VERSION, MARTS_SCHEMA, bi_copy_path, fsync

if TYPE_CHECKING:
    from pipelines.config import SalesmetricsConfig

FLEET_COPY = "fleet.bi.duckdb"
FLEET_PAGE = "fleet.dashboard.html"


@dataclass(frozen=True)
class Fleet:
    copy: Path
    page: Path
    portals: tuple[str, ...]  # the portals whose marts it holds


def write_fleet(config: SalesmetricsConfig, as_of: dt.date) -> Fleet | None:
    """Rewrite the fleet copy and page from every portal's published copy (None: no portals)."""
    directory = fleet_dir(config)
    if directory is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    with _locked(directory / "fleet.lock"):
        copy, included = write_fleet_copy(config.portals, directory / FLEET_COPY)
        page = write_fleet_page(copy, config.portals, as_of, directory / FLEET_PAGE)
    return Fleet(copy, page, included)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _sql_text(value: str | None) -> str:
    return "null::varchar" if value is None else "'" + value.replace("'", "''") + "'"


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_catalog = ? and table_schema = ? "
            "and table_type = 'BASE TABLE' order by 1",
            [catalog, schema],
        ).fetchall()
    ]


def write_fleet_copy(portals: list[PortalConfig], target: Path) -> tuple[Path, tuple[str, ...]]:
    """Every portal's marts, with `portal` and `currency` columns, into `target` (atomic swap)."""
    staging = target.with_name(target.name + ".next")
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        rows, sources = [], {}  # sources: schema.table -> [(portal, select)]
        for p in portals:
            bi = bi_copy_path(Path(p.db))
            published = (
                dt.datetime.fromtimestamp(bi.stat().st_mtime, dt.UTC).replace(tzinfo=None) if bi.exists() else None
            )
            marts: list[str] = []
            if published is not None:
                alias = f"portal_{p.name}"
                con.execute(f"attach '{_sql_path(bi)}' as {alias} (read_only)")
                for schema in (MARTS_SCHEMA, "pipeline"):
                    for table in (t for t in _tables(con, alias, schema) if (schema, t) != ("pipeline", "portals")):
                        sources.setdefault(f"{schema}.{table}", []).append(
                            f"select {_sql_text(p.name)} as portal, {_sql_text(p.currency)} as currency, * "
                            f"from {alias}.{schema}.{table}"
                        )
                marts = _tables(con, alias, MARTS_SCHEMA)
            rows.append(
                (p.name, p.currency, str(p.db), str(bi), str(dashboard_path(Path(p.db))), published, len(marts))
            )
        con.execute(f"attach '{_sql_path(staging)}' as fleet_copy (storage_version '{BI_STORAGE_VERSION}')")
        try:
            for schema in (MARTS_SCHEMA, "pipeline"):
                con.execute(f"create schema fleet_copy.{schema}")
            con.execute("begin transaction")
            for name, selects in sorted(sources.items()):
                con.execute(f"create table fleet_copy.{name} as " + " union all by name ".join(selects))
            con.execute(
                "create table fleet_copy.pipeline.portals (portal varchar, currency varchar, warehouse varchar, "
                "bi_copy varchar, dashboard varchar, published_at timestamp, marts integer)"
            )
            if rows:
                con.executemany("insert into fleet_copy.pipeline.portals values (?, ?, ?, ?, ?, ?, ?)", rows)
            con.execute("commit")
            con.execute("checkpoint fleet_copy")
        finally:
            con.execute("detach fleet_copy")
    finally:
        con.close()
    fsync(staging)
    os.replace(staging, target)
    fsync(target.parent)
    return target, tuple(r[0] for r in rows if r[5] is not None)


# -- the page ---------------------------------------------------------------------------------

MEASURES_SQL = {
    # ARR and customers in the as-of month (else the last month before it)
    "arr": """select portal, arg_max(arr, month) as arr, arg_max(customers, month) as customers
              from marts.arr_monthly where month <= $as_of::date group by portal""",
    # NRR of the last complete month
    "nrr": """select portal, arg_max(net_revenue_retention, month) as nrr
              from marts.churn_monthly where month <= $last_complete::date group by portal""",
    # win rate of the team over the twelve complete months to the last complete one
    "win_rate": """select portal, sum(deals_won) / nullif(sum(deals_won) + sum(deals_lost), 0) as win_rate
                   from marts.sales_kpis_monthly
                   where is_team_total and month <= $last_complete::date
                     and month > $last_complete::date - interval 12 month
                   group by portal""",
    # the team's revenue attainment in the quota periods containing the as-of date
    "attainment": """select portal, sum(won_amount) filter (where quota_revenue > 0)
                            / nullif(sum(quota_revenue) filter (where quota_revenue > 0), 0) as attainment
                     from marts.quota_attainment
                     where period_start <= $as_of::date and $as_of::date < period_end group by portal""",
    # weighted open pipeline over the target still to win, in the plan period containing the as-of date
    "coverage": """select portal, arg_max(pipeline_coverage, period_start) as coverage
                   from marts.north_star_plan
                   where period_start <= $as_of::date and $as_of::date < period_end group by portal""",
}
COLUMNS = (  # key, header, kind
    ("arr", "ARR", "money"),
    ("customers", "customers", "count"),
    ("nrr", "NRR", "rate"),
    ("win_rate", "win rate (12 months)", "rate"),
    ("attainment", "quota attainment", "rate"),
    ("coverage", "pipeline coverage", "ratio"),
)


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def fleet_measures(copy: Path, as_of: dt.date) -> dict[str, dict[str, Any]]:
    """portal -> measure -> value, read from the fleet copy (marts the copy lacks give no value)."""
    from pipelines.dashboard.queries import last_complete_month

    params = {"as_of": as_of, "last_complete": last_complete_month(as_of)}
    out: dict[str, dict[str, Any]] = {}
    con = duckdb.connect(str(copy), read_only=True)
    try:
        con.execute("set enable_progress_bar = false")
        present = set(_tables(con, con.execute("select current_database()").fetchone()[0], MARTS_SCHEMA))
        for sql in MEASURES_SQL.values():
            table = sql.split("from marts.", 1)[1].split()[0]
            if table not in present:
                continue
            cursor = con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})
            names = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                out.setdefault(row[0], {}).update({n: _plain(v) for n, v in zip(names[1:], row[1:], strict=True)})
    finally:
        con.close()
    return out


def _format(value: Any, kind: str, currency: str | None) -> str:
    if value is None:
        return "–"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "ratio":
        return f"{value:.2f}×"
    if kind == "money":
        return f"{value:,.0f}" + (f" {currency}" if currency else "")
    return f"{value:,.0f}"


def write_fleet_page(copy: Path, portals: list[PortalConfig], as_of: dt.date, target: Path) -> Path:
    """One row per portal, the measures side by side with bars scaled across the fleet (ARR across
    the portals of one currency only), each portal linked to its own dashboard."""
    measures = fleet_measures(copy, as_of)
    tops: dict[tuple[str, str | None], float] = {}
    for p in portals:
        for key, _, kind in COLUMNS:
            value = measures.get(p.name, {}).get(key)
            group = (key, p.currency if kind == "money" else None)
            if isinstance(value, (int, float)) and value > 0:
                tops[group] = max(tops.get(group, 0.0), float(value))
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h, _ in COLUMNS)
    body = []
    for p in portals:
        own = dashboard_path(Path(p.db))
        link = os.path.relpath(own, target.parent)
        cells = []
        for key, _, kind in COLUMNS:
            value = measures.get(p.name, {}).get(key)
            top = tops.get((key, p.currency if kind == "money" else None))
            width = 0 if not isinstance(value, (int, float)) or not top or value <= 0 else min(100.0, 100 * value / top)
            cells.append(
                f'<td data-measure="{key}"><span class="bar" style="width:{width:.0f}%"></span>'
                f'<span class="v">{html.escape(_format(value, kind, p.currency))}</span></td>'
            )
        state = "" if p.name in measures else ' <span class="none">(not built yet)</span>'
        body.append(
            f'<tr data-portal="{html.escape(p.name)}"><th><a href="{html.escape(link)}">'
            f"{html.escape(p.name)}</a>{state}</th><td>{html.escape(p.currency or 'not set')}</td>"
            + "".join(cells)
            + "</tr>"
        )
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>salesmetrics fleet</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1f2933; }}
table {{ border-collapse: collapse; }} th, td {{ padding: .4rem .8rem; text-align: right; border-bottom: 1px solid #e4e7eb; }}
th:first-child, td:nth-child(2) {{ text-align: left; }} td {{ position: relative; min-width: 7rem; }}
.bar {{ position: absolute; left: 0; top: 20%; height: 60%; background: #c6dbef; z-index: 0; }}
.v {{ position: relative; z-index: 1; }} .none, .note {{ color: #7b8794; }}
</style></head><body>
<h1>salesmetrics fleet: {len(portals)} portals</h1>
<p class="note">As of {as_of.isoformat()}; generated {generated} from <code>{html.escape(copy.name)}</code>.
Money is in each portal's home currency (never converted): ARR bars compare portals of one currency.
ARR and customers: the as-of month. NRR: the last complete month. Win rate: the team, over the twelve
complete months to it. Quota attainment: revenue won over revenue quota, the periods containing the
as-of date. Pipeline coverage: weighted open pipeline over the plan's remaining target.
Each portal links to its own dashboard.</p>
<table><thead><tr><th>portal</th><th>currency</th>{head}</tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
</body></html>
"""
    staging = target.with_name(target.name + ".next")
    staging.write_text(page, encoding="utf-8")
    os.replace(staging, target)
    return target
