"""Every bad input a user can hand `salesmetrics run`, in one table.

Each row runs the real command as a subprocess (absolute path, clean environment) against the demo
portal over a real socket and a copy of one real warehouse (prepared once per module), and asserts:
the exit code, exactly one line on stderr and no traceback, no request at all when the input is
local, and a warehouse and BI copy byte-identical to what they were before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from pipelines.demo_portal import DemoPortalServer, generate_portal
from pipelines.hubspot.client import HubSpotClient
from pipelines.sync import sync_portal
from pipelines.warehouse.publish import bi_copy_path as published_path
from pipelines.warehouse.publish import publish
from pipelines.warehouse.store import Warehouse
from tests.e2e.conftest import BIN

pytestmark = pytest.mark.e2e
TOKEN = "pat-na1-matrix-secret"
HEADER = "owner_id,owner_email,period_start,period_end,quota_deals,quota_revenue\n"


@dataclass
class Prepared:
    server: DemoPortalServer
    db: Path
    owners: list[str]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """One synced warehouse and its BI copy; each row works on a copy."""
    root = tmp_path_factory.mktemp("matrix")
    portal = generate_portal(seed=5, size="small", end_date=dt.date(2026, 10, 31))
    with DemoPortalServer(portal, token=TOKEN) as server:
        db = root / "w.duckdb"
        with Warehouse(db) as warehouse:
            sync_portal(HubSpotClient(TOKEN, server.url), warehouse, "prepared")
            owners = [r[0] for r in warehouse.con.execute("select id from raw.owners order by id").fetchall()]
        publish(db)
        yield Prepared(server, db, owners)


class NotHubSpot:
    """A web server on a free port that answers every request 200 with a body that is not HubSpot's."""

    def __init__(self, content_type: str, body: bytes):
        outer = self
        self.requests = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@contextlib.contextmanager
def read_only(directory: Path):
    """The directory read-only, as a user meets it: a read-only mount when root (root ignores modes)."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            yield
        finally:
            directory.chmod(0o755)
        return
    bind = subprocess.run(["mount", "--bind", str(directory), str(directory)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {bind.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(directory)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(directory)], check=True)


@dataclass
class Row:
    id: str
    exit: int
    says: str
    files: dict[str, str | bytes] = field(default_factory=dict)  # name -> content (text, or raw bytes)
    env: dict[str, str] = field(default_factory=dict)  # values may use {dir}, {portal}
    command: str = "run"
    local: bool = True  # the input is local: no request may reach the portal
    setup: Callable[[Path], contextlib.AbstractContextManager] | None = None
    unchanged: bool = True  # the warehouse and the BI copy stay byte-identical


def quota_row(id: str, body: str | bytes, says: str, **kwargs) -> Row:
    return Row(id, 8, says, files={"quotas.csv": body}, env={"SALESMETRICS_QUOTAS": "{dir}/quotas.csv"}, **kwargs)


def config_row(id: str, yml: str, says: str) -> Row:
    return Row(id, 8, says, files={"salesmetrics.yml": yml})


def full_disk(directory: Path):
    # The write-ahead log on /dev/full: DuckDB's first commit fails with ENOSPC, like a full disk.
    (directory / "w.duckdb.wal").symlink_to("/dev/full")
    return contextlib.nullcontext()


def reader_first(directory: Path):
    @contextlib.contextmanager
    def holding():
        holder = subprocess.Popen(
            [
                str(BIN / "python"),
                "-c",
                "import duckdb, sys, time; "
                f"c = duckdb.connect({str(directory / 'w.duckdb')!r}, read_only=True); "
                "print('ready', flush=True); time.sleep(120)",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout.readline().strip() == "ready"
            yield
        finally:
            holder.kill()
            holder.wait()

    return holding()


GOOD = "{owner},,2026-01-01,2026-04-01,3,90000\n"
ROWS = [
    quota_row("quota-duplicate", HEADER + GOOD + GOOD, "line 3: repeats the quota of owner_id"),
    quota_row("quota-overlap", HEADER + GOOD + "{owner},,2026-03-01,2026-06-01,2,\n", "line 3: the period 2026-03-01"),
    quota_row(
        "quota-unknown-owner",
        HEADER + "999999,,2026-01-01,2026-04-01,3,\n",
        "line 2: owner_id 999999 is not one of the",
        local=False,
    ),
    quota_row(
        "quota-non-numeric",
        HEADER + "{owner},,2026-01-01,2026-04-01,three,\n",
        "line 2: quota_deals 'three' is not a number",
    ),
    quota_row(
        "quota-negative", HEADER + "{owner},,2026-01-01,2026-04-01,,-100\n", "line 2: quota_revenue -100 is negative"
    ),
    quota_row("quota-empty-value", HEADER + "{owner},,,2026-04-01,3,\n", "line 2: period_start is empty"),
    quota_row("quota-no-quota", HEADER + "{owner},,2026-01-01,2026-04-01,,\n", "line 2: sets no quota"),
    quota_row("quota-empty-file", "", "is empty: its first line must be the header"),
    quota_row(
        "quota-semicolons",
        HEADER.replace(",", ";") + "{owner};;2026-01-01;2026-04-01;3;\n",
        "line 1: the columns are separated by semicolons",
    ),
    quota_row(
        "quota-cp1252",
        (HEADER + ",jos\u00e9@example.com,2026-01-01,2026-04-01,3,\n").encode("cp1252"),
        "line 2: byte 0xe9 is not UTF-8",
    ),
    Row(
        "quota-bom-crlf-works",
        0,
        "",
        files={"quotas.csv": b"\xef\xbb\xbf" + (HEADER + GOOD).replace("\n", "\r\n").encode()},
        env={"SALESMETRICS_QUOTAS": "{dir}/quotas.csv"},
        command="sync",
        local=False,
        unchanged=False,
    ),
    config_row(
        "yml-negative-weight",
        "scorecard:\n  measures:\n    - {measure: deals_won, weight: -5, benchmark: 2}\n",
        "salesmetrics.yml line 3: 'scorecard.measures.0.weight' must be 0",
    ),
    config_row(
        "yml-negative-benchmark",
        "scorecard:\n  measures:\n    - {measure: deals_won, weight: 5, benchmark: -2}\n",
        "salesmetrics.yml line 3: 'scorecard.measures.0.benchmark' must be 0",
    ),
    config_row(
        "yml-not-a-number",
        "scorecard:\n  measures:\n    - {measure: deals_won, weight: heavy, benchmark: 2}\n",
        "'scorecard.measures.0.weight': Input should be a valid number",
    ),
    config_row(
        "yml-syntax",
        "reporting:\n  timezone: UTC\n   as_of: 2026-10-31\n",
        "salesmetrics.yml line 3, column 9: invalid YAML",
    ),
    Row("yml-is-a-directory", 8, "salesmetrics.yml is a directory", files={"salesmetrics.yml/": ""}),
    Row("base-url-html", 9, "HUBSPOT_BASE_URL http://127.0.0.1:", env={"HUBSPOT_BASE_URL": "{html}"}, local=False),
    Row(
        "base-url-other-json",
        9,
        "is not HubSpot's API: list deal pipelines answered HTTP 200 application/json",
        env={"HUBSPOT_BASE_URL": "{json}"},
        local=False,
    ),
    Row(
        "base-url-dead-port",
        4,
        "Cannot reach HubSpot at http://127.0.0.1:9",
        env={"HUBSPOT_BASE_URL": "http://127.0.0.1:9"},
    ),
    Row(
        "warehouse-not-duckdb",
        12,
        "is not a DuckDB database",
        files={"w.duckdb": "<html>not a database</html>"},
        env={"SALESMETRICS_DB": "{dir}/w.duckdb"},
    ),
    Row("warehouse-read-only", 11, "is on a read-only file system", setup=read_only),
    Row("disk-full", 10, "no space left on the disk", setup=full_disk, local=False),
    Row(
        "duckdb-memory-cap-too-small",
        8,
        "DuckDB needed more memory than its cap of 1MB (warehouse.memory_limit",
        env={"SALESMETRICS_DUCKDB_MEMORY_LIMIT": "1MB"},
        local=False,
        unchanged=False,
    ),
    Row(
        "duckdb-sync-memory-cap-too-small",
        8,
        "DuckDB needed more memory than its cap of 1MB (warehouse.sync_memory_limit",
        env={"SALESMETRICS_DUCKDB_SYNC_MEMORY_LIMIT": "1MB"},
        local=False,
        unchanged=False,
    ),
    Row("warehouse-held-by-a-reader", 5, "is held by process", setup=reader_first),
]


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_bad_input_gets_one_line_and_its_exit_code(tmp_path, clean_env, prepared, row):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(prepared.db, work / "w.duckdb")
    shutil.copy(published_path(prepared.db), published_path(work / "w.duckdb"))
    for name, content in row.files.items():
        target = work / name
        if name.endswith("/"):
            target.mkdir()
        elif isinstance(content, bytes):
            target.write_bytes(content.replace(b"{owner}", prepared.owners[0].encode()))
        else:
            target.write_text(content.replace("{owner}", prepared.owners[0]))
    html = NotHubSpot("text/html; charset=utf-8", b"<!DOCTYPE html>\n<html><title>Intranet</title></html>")
    other = NotHubSpot("application/json", json.dumps({"status": "ok"}).encode())
    values = {"dir": str(work), "html": html.url, "json": other.url}
    env = {
        **clean_env,
        "HUBSPOT_BASE_URL": prepared.server.url,
        "HUBSPOT_ACCESS_TOKEN": TOKEN,
        "SALESMETRICS_DB": str(work / "w.duckdb"),
        "SALESMETRICS_AS_OF": "2026-10-31",
        **{k: v.format(**values) for k, v in row.env.items()},
    }
    before = {p.name: digest(p) for p in (work / "w.duckdb", published_path(work / "w.duckdb"))}
    prepared.server.reset_stats()
    try:
        with row.setup(work) if row.setup else contextlib.nullcontext():
            proc = subprocess.run(
                [str(BIN / "salesmetrics"), row.command], env=env, cwd=work, capture_output=True, text=True, timeout=300
            )
    finally:
        html.close()
        other.close()
    output = proc.stdout + proc.stderr
    assert proc.returncode == row.exit, output[-3000:]
    assert "Traceback" not in output and TOKEN not in output
    if row.exit:
        assert len(proc.stderr.splitlines()) == 1, proc.stderr
        assert row.says in proc.stderr, proc.stderr
        assert html.requests + other.requests <= 1  # a wrong base URL fails on its first answer
    if row.local:
        assert prepared.server.request_count == 0 and html.requests + other.requests == 0
    if row.id == "quota-unknown-owner":  # the only request: HubSpot's owners, asked before any other
        assert set(prepared.server.requests_by_route) == {"owners.list"}, prepared.server.requests_by_route
    if row.unchanged:
        assert {p.name: digest(p) for p in (work / "w.duckdb", published_path(work / "w.duckdb"))} == before
    else:
        con = duckdb.connect(str(work / "w.duckdb"), read_only=True)
        assert con.execute("select count(*) from raw.sync_log").fetchone()[0] > 0
        con.close()
