"""How fast the demo portal builds and answers: prints figures, asserts nothing.

    .venv/bin/python benchmarks/demo_portal.py [--skip-xlarge]

The eager generator's `small` and `medium` portals (build seconds), then the lazy `xlarge` portal
(1M deals, 5M engagements): its build, and the median milliseconds of a list page from the middle of
the ids, a search page over 40% of the records and a batch read of 100 ids spread over the portal.
A Python loop over a million records takes seconds; the vectorised selection takes milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from pipelines.demo_portal import generate_lazy_portal, generate_portal, wire  # noqa: E402

END = dt.date(2026, 10, 31)


def median_ms(fn, n: int = 5) -> float:
    fn()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def seconds(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-xlarge", action="store_true")
    args = parser.parse_args()
    for size in ("small", "medium"):
        took, portal = seconds(lambda size=size: generate_portal(seed=7, size=size, end_date=END))
        print(f"eager {size}: built in {took:.2f} s ({sum(portal.counts().values()):,} records)")
    if args.skip_xlarge:
        return
    took, portal = seconds(lambda: generate_lazy_portal(seed=7, size="xlarge", end_date=END))
    print(f"lazy xlarge: built in {took:.1f} s, {portal.nbytes() / 1e6:.0f} MB of columns")
    for name in ("deals", "calls"):
        view, ids = portal.view(name), portal.ids(name)
        cursor = str(ids[len(ids) // 2])
        listed = median_ms(
            lambda view=view, name=name, cursor=cursor: wire.list_page(
                view,
                name,
                limit=100,
                after=cursor,
                archived=False,
                properties=[],
                history=[],
                associations=[],
                link=str,
            )
        )
        lo = int(np.quantile(portal.columns(name)["lm"], 0.6))
        floors = iter(range(10**6))

        def search(view=view, name=name, lo=lo, floors=floors):
            body = {
                "filterGroups": [
                    {
                        "filters": [
                            {"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": str(lo)},
                            {"propertyName": "hs_object_id", "operator": "GT", "value": str(next(floors))},
                        ]
                    }
                ],
                "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
                "limit": 200,
            }
            wire.search_page(view, name, body)  # a new body each time: no cache hit

        searched = median_ms(search)
        batch = {"inputs": [{"id": str(i)} for i in ids[:: len(ids) // 100][:100]]}
        read = median_ms(lambda view=view, name=name, batch=batch: wire.batch_read(view, name, batch, False))
        print(
            f"lazy xlarge {name}: list page {listed:.1f} ms, search page {searched:.1f} ms, "
            f"batch read of 100 {read:.1f} ms (medians of 5)"
        )


if __name__ == "__main__":
    main()
