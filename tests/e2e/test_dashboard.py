"""The dashboard as a sales manager sees it: the page `salesmetrics demo` wrote, opened in a real
headless Chromium (Debian's package) from file:// with the network cut off, and served live by
`salesmetrics dashboard`, reloading itself after a rebuild."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import signal
import subprocess
import urllib.request

import duckdb
import pytest

from pipelines.dashboard import build_id_of, dashboard_path, write_dashboard
from tests.e2e.conftest import BIN
from tests.support.chromium import chromium

pytestmark = pytest.mark.e2e

SECTIONS = ["company-health", "deal-kpis", "quota-attainment", "funnel", "rep-activity", "scorecard", "north-star"]
UNITS = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
READY = "body[data-ready=true]"


def shown(text: str) -> tuple[float | None, float]:
    """A figure as the page prints it ('3.1M', '46.7%', '30.6 d', '0.30×', '1,234', '–') -> (value,
    half a unit of its last digit): what the shown figure says, and how exactly."""
    text = text.strip()
    if text == "–":
        return None, 0.0
    scale = 1.0
    if text.endswith("%"):
        scale, text = 0.01, text[:-1]
    elif text.endswith(" d"):
        text = text[:-2]
    elif text.endswith("×"):
        text = text[:-1]
    elif text[-1] in UNITS:
        scale, text = UNITS[text[-1]], text[:-1]
    decimals = len(text.split(".")[1]) if "." in text else 0
    return float(text.replace(",", "")) * scale, 0.5 * 10**-decimals * scale


def tiles(page, container: str) -> dict[str, tuple[str, str]]:
    return page.eval_on_selector_all(
        f"{container} .tile",
        "els => Object.fromEntries(els.map(e => [e.dataset.measure, [e.dataset.value, e.querySelector('.tile-value').textContent]]))",
    )


def assert_tiles_equal(page, container: str, expected: dict[str, float | None]) -> None:
    found = tiles(page, container)
    assert set(expected) <= set(found), (container, found)
    for measure, value in expected.items():
        exact, text = found[measure]
        figure, half_unit = shown(text)
        if value is None:
            assert exact == "" and figure is None, (measure, exact, text)
            continue
        value = float(value)
        assert float(exact) == pytest.approx(value, rel=1e-12, abs=1e-9), (measure, exact, value)
        assert abs(figure - value) <= half_unit * 1.0001 + 1e-9, (measure, text, value)


def one(con, sql, params=()):
    cursor = con.execute(sql, list(params))
    row = cursor.fetchone()
    names = [d[0] for d in cursor.description]
    return dict(zip(names, row, strict=True)) if row else dict.fromkeys(names)


def expected_figures(db, as_of: dt.date, owner_id: str | None = None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        month = as_of.replace(day=1)
        health = one(
            con,
            "select a.arr, a.customers, a.new_arr, a.churned_arr, c.logo_churn_rate, "
            "1 - c.gross_revenue_churn_rate as grr, c.net_revenue_retention as nrr "
            "from marts.arr_monthly a left join marts.churn_monthly c using (month) where month = ?",
            [month],
        )
        owner = "owner_id = ?" if owner_id else "is_team_total"
        kpis = one(
            con,
            "select win_rate, avg_deal_size, arpa, profit_margin, avg_sales_cycle_days, deals_won, won_amount, "
            f"opportunities_created, pipeline_created_amount from marts.sales_kpis_monthly where month = ? and {owner}",
            [month, *([owner_id] if owner_id else [])],
        )
        plan = one(
            con,
            "select revenue_target, won_to_date, expected_to_date, pace, deals_needed, opportunities_needed, "
            "pipeline_coverage from marts.north_star_plan where period_start <= ? and ? < period_end",
            [as_of, as_of],
        )
        quarantined = con.execute(
            "select count(distinct coalesce(record_id, md5(raw_record::varchar))) from raw.quarantine"
        ).fetchone()[0]
        reps = dict(
            con.execute("select owner_id, coalesce(owner_name, email, owner_id) from marts.dim_owners").fetchall()
        )
        return health, kpis, plan, quarantined, reps
    finally:
        con.close()


def open_page(context, url: str):
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)
    return page, errors, requests


def test_the_page_shows_the_marts_offline_in_chromium(demo_run):
    assert demo_run.proc.returncode == 0, demo_run.proc.stdout + demo_run.proc.stderr
    page_file = dashboard_path(demo_run.warehouse)
    assert page_file.exists() and f"dashboard: {page_file.relative_to(demo_run.cwd)}" in demo_run.proc.stdout
    # The network cut off: no proxy answers (discard port), and the browser itself offline.
    with chromium("--proxy-server=127.0.0.1:9") as context:
        context.set_offline(True)
        page, errors, requests = open_page(context, page_file.as_uri())
        assert page.eval_on_selector_all("section", "els => els.map(e => e.dataset.section)") == SECTIONS
        plots = page.eval_on_selector_all(".plot", "els => els.map(e => [e.id, !!e.querySelector('.main-svg')])")
        assert len(plots) >= 18 and all(drawn for _, drawn in plots), plots
        # every measure labelled: each tile, chart title and table column with a figure says lead or lag
        unlabelled = page.eval_on_selector_all(
            ".tile .tile-label, .chart h3", "els => els.filter(e => !e.querySelector('.badge')).map(e => e.textContent)"
        )
        assert unlabelled == [], unlabelled

        as_of = dt.date.fromisoformat(re.search(r"as of (\d{4}-\d\d-\d\d)", page.inner_text("#facts")).group(1))
        assert "reporting zone UTC" in page.inner_text("#facts")
        health, kpis, plan, quarantined, reps = expected_figures(demo_run.warehouse, as_of)
        assert_tiles_equal(page, "#health-tiles", health)
        assert_tiles_equal(page, "#kpi-tiles", kpis)
        assert_tiles_equal(page, "#ns-tiles", plan)
        assert int(page.get_attribute("#quarantine", "data-value")) == quarantined > 0
        status = page.inner_text("#status")
        for obj in ("deals", "companies", "calls", "emails", "meetings", "notes", "tasks", "owners"):
            assert re.search(rf"\b{obj} \d{{4}}-\d\d-\d\d \d\d:\d\d", status), (obj, status)

        # the rep filter lists reps by name and narrows every per-rep view to the one picked
        options = page.eval_on_selector_all("#rep-filter option", "els => els.map(e => [e.value, e.textContent])")
        assert options[0][0] == "" and {value for value, _ in options[1:]} == set(reps)
        con = duckdb.connect(str(demo_run.warehouse), read_only=True)
        rep = con.execute(
            "select owner_id from marts.quota_attainment where period_start <= ? and ? < period_end "
            "order by won_amount desc, owner_id limit 1",
            [as_of, as_of],
        ).fetchone()[0]
        con.close()
        page.select_option("#rep-filter", rep)
        _, rep_kpis, _, _, _ = expected_figures(demo_run.warehouse, as_of, rep)
        assert_tiles_equal(page, "#kpi-tiles", rep_kpis)
        for table in ("#quota-table", "#activity-table", "#score-complete", "#score-partial"):
            names = page.eval_on_selector_all(f"{table} tbody td.name", "els => els.map(e => e.textContent)")
            assert set(names) <= {reps[rep]}, (table, names)
        assert page.eval_on_selector_all("#quota-table tbody tr", "els => els.length") >= 1
        # the rep's activity in the last complete week, which the page rebuilds from the additive parts
        week = dt.date.fromisoformat(page.inner_text("#activity-week"))
        cells = page.eval_on_selector_all(
            "#activity-table tbody td.num", "els => els.map(e => [e.dataset.measure, e.dataset.value])"
        )
        con = duckdb.connect(str(demo_run.warehouse), read_only=True)
        activity = one(
            con,
            "select calls, connected_calls, avg_talk_time_seconds, positive_disposition_rate, meetings_per_conversation, "
            "emails_received, meetings_booked, emails_sent from marts.rep_activity_weekly "
            "where week_start = ? and owner_id = ?",
            [week, rep],
        )
        con.close()
        assert activity["calls"] is not None, "the demo's leading rep made calls in the last complete week"
        assert {measure for measure, _ in cells} == set(activity), cells
        for measure, value in cells:
            expected = activity[measure]
            if expected is None:
                assert value == "", (measure, value)
            else:
                assert float(value) == pytest.approx(float(expected), rel=1e-12, abs=1e-12), (measure, value)

        page.wait_for_timeout(3500)  # longer than the page's poll interval: from file:// it never polls
        assert errors == []
        assert requests and all(url.startswith(("file:", "data:", "blob:")) for url in requests), requests


def read_url(proc: subprocess.Popen) -> str:
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert match, line + proc.stdout.read() if proc.poll() is not None else line
    return match.group(0)


def test_salesmetrics_dashboard_serves_the_page_and_it_reloads_after_a_rebuild(demo_run, tmp_path):
    assert demo_run.proc.returncode == 0
    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_run.warehouse, db)
    shutil.copy(dashboard_path(demo_run.warehouse), dashboard_path(db))
    server = subprocess.Popen(
        [str(BIN / "salesmetrics"), "dashboard", "--port", "0", "--db", str(db)],
        env=demo_run.env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = read_url(server)
        with chromium() as context:
            page, errors, _ = open_page(context, url)
            first = page.get_attribute("meta[name=salesmetrics-build]", "content")
            rep = page.eval_on_selector_all("#rep-filter option", "els => els.map(e => e.value)")[1]
            page.select_option("#rep-filter", rep)
            as_of = dt.date.fromisoformat(re.search(r"as of (\S+)", page.inner_text("#facts")).group(1))
            # A rebuild ends by writing the page (what `run`, `build` and the Dagster asset call);
            # the open page notices within its poll interval and reloads itself.
            with page.expect_navigation(timeout=30_000):
                write_dashboard(db, as_of - dt.timedelta(days=1), "UTC")
            page.wait_for_selector(READY, timeout=60_000)
            second = page.get_attribute("meta[name=salesmetrics-build]", "content")
            assert second != first and second == build_id_of(dashboard_path(db))
            assert f"as of {as_of - dt.timedelta(days=1)}" in page.inner_text("#facts")
            assert page.eval_on_selector("#rep-filter", "e => e.value") == rep  # the filter survives the reload
            assert errors == []
        with urllib.request.urlopen(url + "version", timeout=10) as response:
            assert json.loads(response.read()) == {"build_id": second}
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "dashboard server stopped" in output and "Traceback" not in output
