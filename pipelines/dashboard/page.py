"""The dashboard page: one HTML file with plotly.js (its basic bundle), the page's script and the data inlined.

Nothing is fetched when the page opens (it works from file:// with no network). The file is
written next to the warehouse and swapped in atomically, so a browser or `salesmetrics
dashboard` never reads a half-written page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from pipelines.dashboard.indicators import indicators
from pipelines.dashboard.queries import read_dashboard_data
from pipelines.paths import DBT_PROJECT_DIR

POLL_SECONDS = 3
BUILD_META = re.compile(rb'<meta name="salesmetrics-build" content="([^"]*)">')
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"


def dashboard_path(db_path: Path) -> Path:
    """`data/demo.duckdb` -> `data/demo.dashboard.html`."""
    return Path(db_path).with_name(Path(db_path).stem + ".dashboard.html")


@cache
def _asset(name: str) -> str:
    return resources.files("pipelines.dashboard").joinpath("assets", name).read_text(encoding="utf-8")


def _plotly_js() -> str:
    """plotly.js's basic bundle (scatter and bar, all the page draws): 1.2 MB against the full
    bundle's 4.8 MB, and evaluating it is most of what opening the page costs."""
    return _asset("vendor/plotly-basic.min.js")


def last_complete_week(as_of: dt.date) -> dt.date:
    """Monday of the last ISO week that ends on or before the as-of day (which counts in full)."""
    tomorrow = as_of + dt.timedelta(days=1)
    return tomorrow - dt.timedelta(days=tomorrow.weekday() + 7)


def render(data: dict[str, Any], as_of: dt.date, timezone: str, generated_at: dt.datetime | None = None) -> str:
    generated_at = generated_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    payload = json.dumps(data, sort_keys=True, allow_nan=False)
    build_id = f"{generated_at:%Y%m%dT%H%M%S}-{hashlib.sha256(payload.encode()).hexdigest()[:12]}"
    data = {
        **data,
        "indicators": indicators(MANIFEST),
        "meta": {
            "as_of": as_of.isoformat(),
            "timezone": timezone,
            "generated_at": generated_at.isoformat(timespec="seconds"),
            "build_id": build_id,
            "poll_seconds": POLL_SECONDS,
            "last_complete_week": last_complete_week(as_of).isoformat(),
        },
    }
    # Inside <script> nothing may close the element early.
    embedded = json.dumps(data, allow_nan=False, ensure_ascii=False).replace("</", "<\\/")
    return Template(_asset("dashboard.html")).substitute(
        build_id=build_id,
        as_of=as_of.isoformat(),
        css=_asset("dashboard.css"),
        plotly_js=_plotly_js(),
        data=embedded,
        dashboard_js=_asset("dashboard.js"),
    )


def write_dashboard(db_path: Path, as_of: dt.date, timezone: str) -> Path:
    """Read the marts and write `<warehouse stem>.dashboard.html` beside the warehouse, atomically."""
    html = render(read_dashboard_data(db_path, as_of), as_of, timezone)
    target = dashboard_path(db_path)
    staging = target.with_name(target.name + ".next")
    staging.write_text(html, encoding="utf-8")
    os.replace(staging, target)
    return target


def build_id_of(page: Path) -> str | None:
    """The build id a page carries (in its head), so a server can tell an open page a newer one exists."""
    try:
        with open(page, "rb") as fh:
            match = BUILD_META.search(fh.read(4096))
    except OSError:
        return None
    return match.group(1).decode() if match else None
