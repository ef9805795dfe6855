from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def user_env(home: Path) -> dict[str, str]:
    """The environment of a new user's shell: no virtualenv on PATH (commands are run by absolute
    path), no HubSpot or salesmetrics settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HUBSPOT_", "SALESMETRICS_", "VIRTUAL_ENV", "DISABLE_PANDERA"))
    }
    env.update(
        PATH=os.pathsep.join(
            p for p in env.get("PATH", "/usr/bin:/bin").split(os.pathsep) if p and Path(p).resolve() != BIN.resolve()
        ),
        DAGSTER_HOME=str(home / "dagster_home"),
        DAGSTER_DISABLE_TELEMETRY="1",
        DO_NOT_TRACK="1",
        PYTHONUNBUFFERED="1",
    )
    (home / "dagster_home").mkdir()
    (home / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return env


@pytest.fixture
def clean_env(tmp_path):
    return user_env(tmp_path)


@dataclass(frozen=True)
class DemoRun:
    cwd: Path
    proc: subprocess.CompletedProcess
    env: dict[str, str]

    @property
    def warehouse(self) -> Path:
        return self.cwd / "data" / "demo.duckdb"


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoRun:
    """`salesmetrics demo` run once per session in its own directory (a dbt build costs ~30 s):
    tests only read what it left (the warehouse, its BI copy, its dashboard)."""
    cwd = tmp_path_factory.mktemp("demo")
    env = user_env(cwd)
    proc = subprocess.run(
        [str(BIN / "salesmetrics"), "demo"], env=env, cwd=cwd, capture_output=True, text=True, timeout=600
    )
    return DemoRun(cwd, proc, env)
