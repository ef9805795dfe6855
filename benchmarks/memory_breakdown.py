"""Where a first sync's peak memory goes: DuckDB (by tag), Python's heap and the C heap, sampled.

.venv/bin/python benchmarks/memory_breakdown.py bench-100k
.venv/bin/python benchmarks/memory_breakdown.py xlarge          # one run of ~20 minutes

The sync runs `salesmetrics sync` in a fresh process against the lazy demo portal with no rate limit,
with a thread that samples every half second: RSS, DuckDB's `duckdb_memory()` (through a second
connection to the same database instance), and glibc's heap in use (`mallinfo2`). At the end it
reads Python's own allocator (`sys._debugmallocstats`: arenas of 1 MiB, never given back, so the
high-water mark is what counts). Prints figures, asserts nothing.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SAMPLE_S = 0.5


def inside() -> None:
    """The sync process: sample while the real CLI runs, then print one JSON line."""
    import duckdb

    class MallInfo2(ctypes.Structure):
        _fields_ = [
            (n, ctypes.c_size_t)
            for n in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
        ]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    db = os.environ["SALESMETRICS_DB"]
    samples: list[dict] = []

    def rss_mb() -> int:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))

    def sample() -> None:
        con = None
        while True:
            duck: dict[str, int] = {}
            try:
                if con is None and os.path.exists(db):
                    con = duckdb.connect(db)  # the CLI's instance: same file, same process
                if con is not None:
                    rows = con.execute("select tag, memory_usage_bytes // 1048576 from duckdb_memory()").fetchall()
                    duck = {tag: mb for tag, mb in rows if mb}
            except duckdb.Error:
                pass
            info = libc.mallinfo2()
            samples.append({"rss": rss_mb(), "duckdb": duck, "c_heap": (info.uordblks + info.hblkhd) // 1048576})
            time.sleep(SAMPLE_S)

    threading.Thread(target=sample, daemon=True).start()
    sys.argv = ["salesmetrics", "sync"]
    from pipelines.cli import main

    try:
        main()
    except SystemExit as exc:
        if exc.code:
            raise
    read, write = os.pipe()
    saved = os.dup(2)
    os.dup2(write, 2)
    sys._debugmallocstats()
    os.dup2(saved, 2)
    os.close(write)
    stats = os.read(read, 1 << 20).decode()
    arenas = int(re.search(r"arenas highwater mark\s*=\s*(\d+)", stats).group(1))
    peak = max(samples, key=lambda s: s["rss"])
    print(
        "BREAKDOWN "
        + json.dumps(
            {
                "peak": peak,
                "duckdb_max": max(sum(s["duckdb"].values()) for s in samples),
                "c_heap_max": max(s["c_heap"] for s in samples),
                "python_heap_highwater": arenas,
                "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            }
        ),
        flush=True,
    )


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import extraction as ex

    size = sys.argv[1] if len(sys.argv) > 1 else "bench-10k"
    baseline = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, pipelines.cli; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    portal = ex.Portal(size)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = ex.sync_env(portal.info["url"], Path(tmp) / "m.duckdb", "unlimited")
            started = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, __file__, "--inside"], env=env, cwd=tmp, capture_output=True, text=True
            )
            seconds = time.perf_counter() - started
    finally:
        portal.close()
    line = next((x for x in proc.stdout.splitlines() if x.startswith("BREAKDOWN ")), None)
    if proc.returncode or line is None:
        raise SystemExit(f"sync failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    b = json.loads(line.removeprefix("BREAKDOWN "))
    peak = b["peak"]
    print(f"{size}: first sync {seconds:.1f} s, peak RSS {b['maxrss']} MB (sampled {peak['rss']} MB)")
    print(
        f"  at the sampled peak: DuckDB {sum(peak['duckdb'].values())} MB {peak['duckdb']}, C heap {peak['c_heap']} MB"
    )
    print(f"  over the run: DuckDB at most {b['duckdb_max']} MB, C heap at most {b['c_heap_max']} MB")
    print(f"  Python's heap high-water {b['python_heap_highwater']} MB; the process after its imports {baseline} MB")


if __name__ == "__main__":
    inside() if sys.argv[1:] == ["--inside"] else main()
