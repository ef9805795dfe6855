"""The standalone server entry point, and the wall between the fake and the extractor it tests."""

from __future__ import annotations

import ast
import json
import pathlib
import signal
import subprocess
import sys
import urllib.request

import pytest

import pipelines.demo_portal

PACKAGE = pathlib.Path(pipelines.demo_portal.__file__).parent
REPO = PACKAGE.parent.parent


def test_module_entry_point_serves_until_interrupted():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.demo_portal",
            "--port",
            "0",
            "--seed",
            "7",
            "--size",
            "small",
            "--end-date",
            "2026-11-26",
            "--token",
            "cli-token",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        request = urllib.request.Request(url + "/crm/v3/pipelines/deals", headers={"Authorization": "Bearer cli-token"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert [p["id"] for p in json.loads(response.read())["results"]][0] == "default"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0, proc.stderr.read()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_even_when_the_parent_blocked_or_ignored_the_signal(signum):
    def hostile_parent():  # a background job of a script, or a parent process that masks signals
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})

    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.demo_portal", "--port", "0", "--size", "small", "--end-date", "2026-11-26"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=hostile_parent,
    )
    try:
        assert proc.stdout.readline().startswith("http://127.0.0.1:")
        proc.send_signal(signum)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def _imports(path: pathlib.Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_demo_portal_imports_nothing_from_the_extractor():
    files = sorted(PACKAGE.glob("*.py"))
    assert len(files) >= 5
    for path in files:
        for name in _imports(path):
            if name == "schemas" or name.startswith("schemas.") or name.startswith("pipelines"):
                assert name.startswith("pipelines.demo_portal"), f"{path.name} imports {name}"


def test_importing_the_demo_portal_loads_no_extractor_module():
    code = (
        "import sys, pipelines.demo_portal\n"
        "bad = [m for m in sys.modules if m.startswith(('pipelines.hubspot', 'pipelines.warehouse', 'schemas'))]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
