"""Peak RSS of a first and an incremental sync with DuckDB uncapped, then capped (the defaults):

.venv/bin/python benchmarks/memory_caps.py bench-10k
.venv/bin/python benchmarks/memory_caps.py xlarge --modes capped    # one run of ~10 minutes
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import extraction as ex

MODES = {
    "uncapped": (
        "uncapped (DuckDB defaults)",
        {
            "SALESMETRICS_DUCKDB_MEMORY_LIMIT": "100GB",
            "SALESMETRICS_DUCKDB_SYNC_MEMORY_LIMIT": "100GB",
            "SALESMETRICS_DUCKDB_THREADS": str(os.cpu_count()),
        },
    ),
    "capped": ("capped (the defaults: 64MB while a sync writes, 2 threads)", {}),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size")
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    args = parser.parse_args()
    size = args.size
    for label, env in [MODES[mode] for mode in args.modes]:
        os.environ.pop("SALESMETRICS_DUCKDB_MEMORY_LIMIT", None)
        os.environ.pop("SALESMETRICS_DUCKDB_THREADS", None)
        os.environ.pop("SALESMETRICS_DUCKDB_SYNC_MEMORY_LIMIT", None)
        os.environ.update(env)
        portal = ex.Portal(size)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                db = Path(tmp) / "m.duckdb"
                s, rss, _ = ex.run_sync(portal.info["url"], db, "unlimited")
                portal.ask("change", 0.01)
                s2, rss2, _ = ex.run_sync(portal.info["url"], db, "unlimited")
                print(
                    f"{size} {label}: first sync {s:.1f} s, peak RSS {rss} MB; incremental {s2:.1f} s, peak RSS {rss2} MB",
                    flush=True,
                )
        finally:
            portal.close()


if __name__ == "__main__":
    main()
