from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture
def clean_env(tmp_path):
    """The environment of a new user's shell: no virtualenv on PATH (commands are run by absolute
    path), no HubSpot or salesmetrics settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HUBSPOT_", "SALESMETRICS_", "VIRTUAL_ENV", "DISABLE_PANDERA"))}
    env.update(
        PATH=os.pathsep.join(p for p in env.get("PATH", "/usr/bin:/bin").split(os.pathsep)
                             if p and Path(p).resolve() != BIN.resolve()),
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
        DAGSTER_DISABLE_TELEMETRY="1",
        DO_NOT_TRACK="1",
        PYTHONUNBUFFERED="1",
    )
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return env
