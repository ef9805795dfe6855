"""Extraction benchmark against the lazy demo portal: prints figures, asserts nothing.

    .venv/bin/python benchmarks/extraction.py                      # bench-10k and bench-100k
    .venv/bin/python benchmarks/extraction.py --sizes xlarge       # 1M deals + 5M engagements

For each size: a full sync with no latency and no rate limit (requests used vs the minimum the page
sizes allow, records per second, peak memory of the sync process), then an incremental sync after
1% of every object changed, then `dbt build`. Separately: the request rate achieved against the
allowed rate, with the portal enforcing HubSpot's limits and answering after 150 ms; and the
records per second of flatten + validate + load alone (no HTTP). The portal always runs in its
own process, and every sync in a fresh `salesmetrics` process so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HISTORY_PAGE, LIST_PAGE, OWNERS_PAGE = 50, 100, 500
SEARCH_PAGE, BATCH = 200, 100


# The portal of the comparison with a peer connector: 25,000 deals, almost nothing else.
CUSTOM_SIZES = {"deals-25k": dict(deals=25_000, engagements=0, companies=50, owners=8)}


def portal_process(conn, size: str, latency_ms: float, rate_limit: bool, burst_limit: int = 100) -> None:
    """Serve a lazy portal; answer commands from the benchmark over a pipe."""
    import datetime as dt

    from pipelines.demo_portal import DemoPortalServer, generate_lazy_portal

    spec = CUSTOM_SIZES.get(size, {"size": size})
    portal = generate_lazy_portal(seed=7, end_date=dt.date(2026, 10, 31), **spec)
    with DemoPortalServer(
        portal, token="bench", latency_ms=latency_ms, rate_limit=rate_limit, burst_limit=burst_limit
    ) as server:
        conn.send({"url": server.url, "counts": portal.counts(), "nbytes": portal.nbytes()})
        while True:
            command, arg = conn.recv()
            if command == "stop":
                return
            if command == "requests":
                entries = list(server.request_log)
                routes = server.requests_by_route
                answered = [e.finished for e in entries]
                conn.send(
                    {
                        "requests": server.request_count,
                        "429": [e.status for e in entries].count(429),
                        "search": routes.get("objects.search", 0),
                        "by_object": sorted(
                            (f"{route} {kind or ''}".strip(), n)
                            for (route, kind), n in server.requests_by_object.items()
                        ),
                        # first request sent (its answer less the latency) to last answer ready
                        "span": max(answered) - min(answered) + latency_ms / 1000 if answered else 0.0,
                    }
                )
            elif command == "timeline":  # (sent, route, object type) of every request, in order
                conn.send(sorted((e.finished - latency_ms / 1000, e.route, e.object_type) for e in server.request_log))
            elif command == "reset":
                server.reset_stats()
                conn.send(True)
            elif command == "change":
                at = (dt.datetime(2026, 11, 1, 0, 0), dt.datetime(2026, 11, 1, 6, 0))
                changed = {
                    name: len(portal.update_fraction(name, arg, at, seed=1))
                    for name in ("deals", "companies", "calls", "emails", "meetings", "notes", "tasks")
                }
                conn.send(changed)


class Portal:
    def __init__(self, size: str, latency_ms: float = 0, rate_limit: bool = False, burst_limit: int = 100):
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=portal_process, args=(child, size, latency_ms, rate_limit, burst_limit), daemon=True
        )
        started = time.perf_counter()
        self.process.start()
        self.info = self.conn.recv()
        self.build_seconds = time.perf_counter() - started

    def ask(self, command: str, arg=None):
        self.conn.send((command, arg))
        return self.conn.recv()

    def close(self) -> None:
        self.conn.send(("stop", None))
        self.process.join(10)


def sync_env(url: str, db: Path, tier: str) -> dict[str, str]:
    """The environment of a benchmark's sync: the portal, its token, the warehouse and the tier."""
    return {
        **os.environ,
        "HUBSPOT_BASE_URL": url,
        "HUBSPOT_ACCESS_TOKEN": "bench",
        "SALESMETRICS_DB": str(db),
        "HUBSPOT_TIER": tier,
        "DO_NOT_TRACK": "1",
    }


def run_sync(url: str, db: Path, tier: str, args: list[str] | None = None) -> tuple[float, int, str]:
    """One `salesmetrics sync` in a fresh process: (seconds, peak RSS in MB, output)."""
    env = sync_env(url, db, tier)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN / "salesmetrics"), "sync", *(args or [])],
        env=env,
        cwd=db.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"sync failed:\n{output[-3000:]}")
    return seconds, usage.ru_maxrss // 1024, output


def minimum_requests(counts: dict[str, int], archived: dict[str, int]) -> int:
    """The fewest requests a full sync can make with HubSpot's page sizes: deals at 50 (stage
    history), other objects at 100, owners at 500; an archived listing per object; pipelines."""
    total = 1 + 2 + 1  # pipelines, owners (active + deactivated), call dispositions
    for name, n in counts.items():
        if name == "owners":
            continue
        page = HISTORY_PAGE if name == "deals" else LIST_PAGE
        total += max(1, math.ceil((n - archived.get(name, 0)) / page)) + max(1, math.ceil(archived.get(name, 0) / page))
    return total


def warehouse_counts(db: Path) -> tuple[dict[str, int], dict[str, int], int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = ["deals", "companies", "calls", "emails", "meetings", "notes", "tasks", "goal_targets"]
        live = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in tables}
        archived = {t: con.execute(f"select count(*) from raw.{t} where archived").fetchone()[0] for t in tables}
        requests = con.execute("select sum(requests) from raw.sync_log").fetchone()[0]
    finally:
        con.close()
    return live, archived, requests


def bench_size(size: str, workdir: Path, with_dbt: bool) -> None:
    portal = Portal(size)
    try:
        counts = portal.info["counts"]
        records = sum(v for k, v in counts.items() if k != "owners")
        print(
            f"\n== {size}: {records:,} CRM records ({counts}); portal built in {portal.build_seconds:.1f} s, "
            f"{portal.info['nbytes'] / 1e6:.0f} MB of columns"
        )
        db = workdir / f"{size}.duckdb"
        seconds, rss, _ = run_sync(portal.info["url"], db, "unlimited")
        served = portal.ask("requests")["requests"]
        live, archived, _ = warehouse_counts(db)
        minimum = minimum_requests(counts, archived)
        print(
            f"full sync: {seconds:.1f} s, {records / seconds:,.0f} records/s end to end (HTTP + flatten + "
            f"validate + load), peak RSS {rss} MB"
        )
        print(f"requests: {served:,} used, minimum {minimum:,} -> efficiency {minimum / served:.3f}")
        changed = portal.ask("change", 0.01)
        portal.ask("reset")
        seconds, rss, _ = run_sync(portal.info["url"], db, "unlimited")
        served = portal.ask("requests")["requests"]
        n_changed = sum(changed.values())
        deals = changed["deals"]
        floor = (
            math.ceil(deals / SEARCH_PAGE)
            + 2 * math.ceil(deals / BATCH)
            + sum(math.ceil(v / SEARCH_PAGE) for k, v in changed.items() if k != "deals")
        )
        print(
            f"incremental after 1% changed ({n_changed:,} records): {seconds:.1f} s, {served:,} requests "
            f"(search+batch floor for the changes alone {floor:,}; the rest are archived listings and "
            f"reference objects), peak RSS {rss} MB"
        )
        if with_dbt:
            env = {**os.environ, "SALESMETRICS_DB": str(db), "SALESMETRICS_AS_OF": "2026-10-31", "DO_NOT_TRACK": "1"}
            started = time.perf_counter()
            proc = subprocess.run(
                [str(BIN / "salesmetrics"), "build"], env=env, cwd=workdir, capture_output=True, text=True
            )
            status = "ok" if proc.returncode == 0 else f"FAILED: {proc.stdout[-500:]}{proc.stderr[-1500:]}"
            print(f"dbt build: {time.perf_counter() - started:.1f} s ({status})")
    finally:
        portal.close()


def budget_bound(requests: int, per_window: int, window_s: float) -> float:
    """Seconds the rate limit alone needs for `requests` requests: a rolling window lets the first
    `per_window` go at once and each further `per_window` one window later, so the last one leaves
    floor((n - 1) / per_window) windows after the first."""
    return (requests - 1) // per_window * window_s if requests > 0 else 0.0


def bench_latency(workdir: Path, size: str, tier: str, latency_ms: float) -> dict:
    """A first sync and a daily sync with the portal enforcing the tier's limits and answering after
    `latency_ms`: wall time against the budget bound, request rate against the allowed rate."""
    from pipelines.hubspot.rate_limits import SEARCH_PER_SECOND, TIERS

    burst = TIERS[tier]
    portal = Portal(size, latency_ms=latency_ms, rate_limit=True, burst_limit=burst)
    try:
        db = workdir / f"latency-{size}-{tier}-{latency_ms:.0f}.duckdb"
        db.unlink(missing_ok=True)
        started = time.monotonic()  # the portal stamps its requests with the same system-wide clock
        seconds, rss, _ = run_sync(portal.info["url"], db, tier)
        ended = time.monotonic()
        stats = portal.ask("requests")
        timeline = portal.ask("timeline")
        app, search = stats["requests"] - stats["search"], stats["search"]
        bound = max(budget_bound(app, burst, 10.0), budget_bound(search, SEARCH_PER_SECOND, 1.0))
        allowed = burst / 10
        print(
            f"first sync {size}, {tier} ({burst}/10 s, search {SEARCH_PER_SECOND}/s), {latency_ms:.0f} ms: "
            f"{seconds:.1f} s for {stats['requests']:,} requests ({app:,} app + {search:,} search); budget bound "
            f"{bound:.1f} s -> {seconds / max(bound, 1e-9):.2f}x; app rate {app / seconds:.1f}/s of {allowed:.0f}/s "
            f"({app / seconds / allowed:.0%}), search {search / seconds:.2f}/s of {SEARCH_PER_SECOND}/s; "
            f"429s {stats['429']}; peak RSS {rss} MB",
            flush=True,
        )
        # The process wall above includes what no budget governs: Python's start (~2 s of imports),
        # opening the warehouse and loading the last batch. The read alone, as the portal saw it:
        print(
            f"  the read: first request to last answer {stats['span']:.1f} s -> "
            f"{stats['span'] / max(bound, 1e-9):.2f}x of the bound; "
            f"{seconds - stats['span']:.1f} s of the wall outside it: {timeline[0][0] - started:.1f} s before the "
            f"first request (Python's start), {ended - timeline[-1][0] - latency_ms / 1000:.1f} s after the last "
            "answer (the last write, closing the warehouse)",
            flush=True,
        )
        # The bound lets a window's whole budget leave the moment it opens; a first sync cannot, as it
        # finds the ids it reads as it goes. At each budget's steady rate the same requests need:
        steady = max(app / allowed, search / SEARCH_PER_SECOND)
        print(
            f"  at the budgets' steady rates ({allowed:.0f}/s app, {SEARCH_PER_SECOND}/s search) the requests need "
            f"{steady:.1f} s: the wall is {seconds / max(steady, 1e-9):.2f}x of it, the read "
            f"{stats['span'] / max(steady, 1e-9):.2f}x",
            flush=True,
        )
        portal.ask("change", 0.01)
        portal.ask("reset")
        daily_s, _, _ = run_sync(portal.info["url"], db, tier)
        daily = portal.ask("requests")
        print(
            f"  daily sync after 1% changed: {daily_s:.1f} s, {daily['requests']:,} requests, 429s {daily['429']}",
            flush=True,
        )
        print("    " + ", ".join(f"{route} {n}" for route, n in daily["by_object"]), flush=True)
        return {"seconds": seconds, "requests": stats["requests"], "bound": bound}
    finally:
        portal.close()


def bench_stages(n_deals: int, n_calls: int) -> None:
    """flatten + validate + load alone: records made by the lazy portal in memory, no HTTP."""
    import datetime as dt

    from pipelines.demo_portal import generate_lazy_portal
    from pipelines.hubspot.objects import CALLS, DEALS
    from pipelines.sync import _load, _ObjectRun, _Read, _schema
    from pipelines.warehouse.store import Warehouse

    portal = generate_lazy_portal(
        seed=7, deals=n_deals, engagements=n_calls * 100 // 46, end_date=dt.date(2026, 10, 31)
    )
    with tempfile.TemporaryDirectory() as tmp, Warehouse(Path(tmp) / "stages.duckdb") as wh:
        for obj, n in ((DEALS, n_deals), (CALLS, n_calls)):
            ids = portal.ids(obj.name)[:n]
            pages = []
            for start in range(0, len(ids), 5000):
                records = portal.records(obj.name, ids[start : start + 5000])
                if obj is DEALS:  # the list endpoint's inline shapes
                    for r in records:
                        r["propertiesWithHistory"] = r.pop("_history", {})
                        r["associations"] = {
                            "companies": {
                                "results": [
                                    {
                                        "id": c["id"],
                                        "type": "deal_to_company" if c.get("primary") else "deal_to_company_unlabeled",
                                    }
                                    for c in r.pop("_companies", [])
                                ]
                            }
                        }
                pages.append(records)
            schema = _schema(obj, wh)  # no pipelines loaded: no stage check, as before
            run = _ObjectRun(wh, obj.name, "full", "stages")
            started = time.perf_counter()
            for records in pages:
                _load(run, obj, schema, _Read(records))
            seconds = time.perf_counter() - started
            total = sum(len(p) for p in pages)
            print(
                f"flatten + validate + load, {obj.name}: {total:,} records in {seconds:.1f} s = "
                f"{total / seconds:,.0f} records/s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["bench-10k", "bench-100k"])
    parser.add_argument("--no-dbt", action="store_true")
    parser.add_argument(
        "--latency-sizes",
        nargs="+",
        default=["deals-25k", "bench-100k"],
        help="portals of the latency runs (deals-25k: 25,000 deals and little else)",
    )
    parser.add_argument("--latencies", nargs="+", type=float, default=[0, 150, 400], help="milliseconds")
    parser.add_argument("--tiers", nargs="+", default=["starter", "professional"])
    parser.add_argument("--only-latency", action="store_true", help="skip the no-limit runs")
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DO_NOT_TRACK", "1")
    with tempfile.TemporaryDirectory(prefix="salesmetrics-bench-") as tmp:
        workdir = Path(tmp)
        if not args.only_latency:
            bench_stages(n_deals=20_000, n_calls=100_000)
            for size in args.sizes:
                bench_size(size, workdir, with_dbt=not args.no_dbt)
        if not args.skip_latency:
            print("\n== latency: the portal enforces each tier's limits and answers every request after the latency")
            for size in args.latency_sizes:
                for tier in args.tiers:
                    for latency in args.latencies:
                        bench_latency(workdir, size, tier, latency)


if __name__ == "__main__":
    main()
