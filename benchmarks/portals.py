"""Portals per hour: `salesmetrics run --all-portals` over N demo portals, at several parallelisms.

    .venv/bin/python benchmarks/portals.py                                   # 10 medium portals; 1, 2, 4
    .venv/bin/python benchmarks/portals.py --portals 4 --size small --parallelism 1 2

Each demo portal is served by its own process and enforces HubSpot's starter budget (100 requests
per rolling 10 s, 5 searches per second), and each portal is configured with `tier: starter`, so
every portal syncs under its own rate limit, as separate HubSpot portals do. For each parallelism a
fresh directory (so a full first load and a full dbt build per portal) runs the real CLI; the
figure is portals / wall time. Prints figures and asserts nothing, except that every portal
succeeded (answers of 429, retried by the client, are counted).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
END = dt.date(2026, 10, 31)


def serve(conn, seed: int, size: str, token: str) -> None:
    from pipelines.demo_portal import DemoPortalServer, generate_portal

    server = DemoPortalServer(
        generate_portal(seed=seed, size=size, end_date=END),
        token=token,
        rate_limit=True,
        burst_limit=100,
        search_limit=5,
    )
    server.start()
    conn.send(server.url)
    while True:
        command = conn.recv()
        if command == "stats":
            statuses = [e.status for e in list(server.request_log)]
            conn.send({"requests": server.request_count, "429": statuses.count(429)})
        elif command == "stop":
            server.stop()
            conn.send("stopped")
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=10)
    parser.add_argument("--size", default="medium")
    parser.add_argument("--parallelism", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()

    ctx = mp.get_context("spawn")
    servers = []
    started = time.perf_counter()
    for i in range(args.portals):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=serve, args=(child, 100 + i, args.size, f"token-{i}"), daemon=True)
        proc.start()
        servers.append((parent, proc))
    urls = [parent.recv() for parent, _ in servers]
    print(
        f"{args.portals} {args.size} demo portals up in {time.perf_counter() - started:.1f} s "
        f"(starter budget enforced by each); cpus: {os.cpu_count()}, load: {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    env = {
        **os.environ,
        **{f"P{i}_TOKEN": f"token-{i}" for i in range(args.portals)},
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    for name in [n for n in env if n.startswith(("HUBSPOT_", "SALESMETRICS_"))]:
        del env[name]
    results = []
    try:
        for parallelism in args.parallelism:
            before = [_stats(parent) for parent, _ in servers]
            with tempfile.TemporaryDirectory(prefix="portals-bench-") as tmp:
                entries = "\n".join(
                    f"  - {{name: p{i}, token_env: P{i}_TOKEN, base_url: '{url}', tier: starter}}"
                    for i, url in enumerate(urls)
                )
                Path(tmp, "salesmetrics.yml").write_text(f"reporting:\n  as_of: {END}\nportals:\n{entries}\n")
                load = os.getloadavg()[0]
                t0 = time.perf_counter()
                proc = subprocess.run(
                    [str(BIN / "salesmetrics"), "run", "--all-portals", "--parallelism", str(parallelism)],
                    cwd=tmp,
                    env=env,
                    capture_output=True,
                    text=True,
                )
                wall = time.perf_counter() - t0
            after = [_stats(parent) for parent, _ in servers]
            if proc.returncode != 0:
                print(proc.stdout, proc.stderr, file=sys.stderr)
                raise SystemExit(f"parallelism {parallelism}: exit {proc.returncode}")
            seconds = [float(s) for s in re.findall(r"seconds ([\d.]+)", proc.stdout)]
            requests = sum(a["requests"] - b["requests"] for a, b in zip(after, before, strict=True))
            rejected = sum(a["429"] - b["429"] for a, b in zip(after, before, strict=True))
            records = sum(int(r.replace(",", "")) for r in re.findall(r"records ([\d,]+)", proc.stdout))
            row = (
                parallelism,
                wall,
                args.portals / wall * 3600,
                sum(seconds) / len(seconds),
                records,
                requests,
                rejected,
                load,
            )
            results.append(row)
            print(
                f"parallelism {parallelism}: {args.portals} portals in {wall:.1f} s = {row[2]:.1f} portals/hour; "
                f"mean {row[3]:.1f} s per portal; {records:,} records, {requests:,} requests, {rejected} answered 429; "
                f"load at start {load:.1f}",
                flush=True,
            )
    finally:
        for parent, proc in servers:
            parent.send("stop")
            parent.recv()
            proc.join(timeout=10)
    print("\n| parallelism | wall | portals/hour | mean seconds per portal | records | requests | 429s |")
    print("|---|---|---|---|---|---|---|")
    for p, wall, pph, mean, records, requests, rejected, _ in results:
        print(f"| {p} | {wall:.0f} s | {pph:.1f} | {mean:.0f} s | {records:,} | {requests:,} | {rejected} |")


def _stats(parent) -> dict[str, int]:
    parent.send("stats")
    return parent.recv()


if __name__ == "__main__":
    main()
