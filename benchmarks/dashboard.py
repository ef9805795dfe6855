"""How fast the dashboard page opens in headless Chromium, and the README's screenshot.

    .venv/bin/python benchmarks/dashboard.py data/demo.dashboard.html [--runs 5] [--screenshot docs/dashboard.png]

Each run is a cold start: a new browser with a new profile opens the page from file://. Printed per
run: milliseconds from navigation start to the first paint (every figure and table shown; plotly.js
is evaluated after it), to the first screen drawn with its charts (the page is usable), the main thread's CPU time until then (on a busy machine the wall
time includes waiting for other processes; the CPU time does not), the time until every chart of
the page is drawn (scrolled through), and the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.chromium import chromium  # noqa: E402

VIEWPORT = {"width": 1400, "height": 900}
SCROLL_THROUGH = """async () => {
  for (let y = 0; y < document.body.scrollHeight; y += 600) {
    window.scrollTo(0, y);
    await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  }
}"""
ALL_DRAWN = "[...document.querySelectorAll('.plot')].every(e => e.querySelector('.main-svg'))"


def cpu_seconds(cdp) -> float:
    """CPU time of the page's main thread so far (DevTools' ThreadTime): what the page costs, apart
    from waiting for other processes of a busy machine."""
    return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "ThreadTime")


def open_once(page_file: Path) -> tuple[float, float, float, float]:
    with chromium(viewport=VIEWPORT) as context:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        before = cpu_seconds(cdp)
        page.goto(page_file.resolve().as_uri())
        page.wait_for_selector("body[data-ready=true]", timeout=120_000)
        first_screen = page.evaluate("performance.getEntriesByName('dashboard-ready')[0].startTime")
        figures = page.evaluate("performance.getEntriesByName('dashboard-figures-painted')[0].startTime")
        cpu = (cpu_seconds(cdp) - before) * 1000
        page.evaluate(SCROLL_THROUGH)
        page.wait_for_function(ALL_DRAWN, timeout=120_000)
        everything = page.evaluate("performance.now()")
        return figures, first_screen, cpu, everything


def describe(figures: float, first_screen: float, cpu: float, everything: float) -> str:
    return (
        f"figures painted {figures:,.0f} ms, first screen with charts {first_screen:,.0f} ms "
        f"(main-thread CPU {cpu:,.0f} ms), every chart {everything:,.0f} ms"
    )


def screenshot(page_file: Path, target: Path) -> None:
    """The whole page at 1400 px wide, every chart drawn."""
    with chromium(viewport={"width": 1400, "height": 6000}) as context:
        page = context.new_page()
        page.goto(page_file.resolve().as_uri())
        page.wait_for_selector("body[data-ready=true]", timeout=120_000)
        page.wait_for_function(ALL_DRAWN, timeout=120_000)
        height = page.evaluate("Math.ceil(document.querySelector('main').getBoundingClientRect().bottom)")
        page.set_viewport_size({"width": 1400, "height": height})
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("page", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    print(f"{args.page}: {args.page.stat().st_size / 1e6:.1f} MB")
    runs = []
    for run in range(args.runs):
        runs.append(open_once(args.page))
        print(f"run {run + 1}: " + describe(*runs[-1]) + f", load average {os.getloadavg()[0]:.1f}")
    if runs:
        print("median: " + describe(*(statistics.median(column) for column in zip(*runs, strict=True))))
    if args.screenshot:
        screenshot(args.page, args.screenshot)
        print(f"screenshot written to {args.screenshot}")


if __name__ == "__main__":
    main()
