"""How long another process can open the main warehouse during `salesmetrics run` (the lock gap).

Starts the demo portal, runs `salesmetrics run` twice against one warehouse (a first and an
incremental run), and beside each a reader that tries to open the main file read-only every 20 ms.
Prints, per run, the reader's attempts between the run's first request and the publish of the BI
copy, how many got in, and the windows in which they got in (seconds since the run started). A
second `salesmetrics run` is started 3 s after the first request and must fail with exit 5. Usage: .venv/bin/python benchmarks/lock_gap.py
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipelines.demo_portal import DemoPortalServer, generate_portal

BIN = Path(sys.executable).parent
READER = """
import sys, time, duckdb
db, out, start = sys.argv[1], open(sys.argv[2], "w"), float(sys.argv[3])
while True:
    t = time.time()
    try:
        duckdb.connect(db, read_only=True).close()
        out.write(f"{t - start:.3f} ok\\n")
    except duckdb.Error:
        out.write(f"{t - start:.3f} locked\\n")
    out.flush()
    time.sleep(0.02)
"""


def windows(samples: list[tuple[float, bool]]) -> list[tuple[float, float]]:
    spans, begin, last = [], None, None
    for t, ok in samples:
        if ok and begin is None:
            begin = t
        if not ok and begin is not None:
            spans.append((begin, last))
            begin = None
        last = t
    if begin is not None:
        spans.append((begin, last))
    return spans


def main() -> None:
    portal = generate_portal(seed=7, size="small", end_date=dt.date(2026, 10, 31))
    with tempfile.TemporaryDirectory() as tmp, DemoPortalServer(portal, token="t") as server:
        db = Path(tmp) / "w.duckdb"
        env = {
            **os.environ,
            "HUBSPOT_BASE_URL": server.url,
            "HUBSPOT_ACCESS_TOKEN": "t",
            "SALESMETRICS_DB": str(db),
            "SALESMETRICS_AS_OF": "2026-10-31",
            "DO_NOT_TRACK": "1",
        }
        for label in ("first run", "incremental run"):
            log = Path(tmp) / "reader.log"
            start = time.time()
            run = subprocess.Popen(
                [str(BIN / "salesmetrics"), "run"],
                env=env,
                cwd=tmp,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            before, first_request, second, reader = server.request_count, None, None, None
            while run.poll() is None:
                if first_request is None and server.request_count > before:
                    first_request = time.time() - start
                    # from here on (a reader that came first would stop the run before it: exit 5)
                    reader = subprocess.Popen([str(BIN / "python"), "-c", READER, str(db), str(log), str(start)])
                if second is None and first_request is not None and time.time() - start > first_request + 3:
                    second = subprocess.run(
                        [str(BIN / "salesmetrics"), "run"],
                        env=env,
                        cwd=tmp,
                        capture_output=True,
                        text=True,
                        timeout=600,
                    )
                time.sleep(0.02)
            took = time.time() - start
            if reader is None:
                print(f"{label}: exit {run.returncode} before any request: {run.stderr.read().strip()}")
                continue
            published = db.with_name("w.bi.duckdb").stat().st_mtime - start
            reader.kill()
            reader.wait()
            samples = [(float(t), s == "ok") for t, s in (line.split() for line in log.read_text().splitlines())]
            during = [(t, ok) for t, ok in samples if first_request <= t <= published]
            print(
                f"{label}: exit {run.returncode} in {took:.1f} s (first request at {first_request:.1f} s, BI copy "
                f"published at {published:.1f} s); reader {len(during)} attempts in between, "
                f"{sum(ok for _, ok in during)} got in, windows {windows(during) or 'none'}; "
                f"a second run started at {first_request + 3:.1f} s: exit {second.returncode if second else '-'} "
                f"{(second.stderr.strip()[:110] + '...') if second else ''}"
            )


if __name__ == "__main__":
    main()
