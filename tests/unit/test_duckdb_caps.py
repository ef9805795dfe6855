"""DuckDB's memory and threads: the environment, else `warehouse:` in salesmetrics.yml, else 256MB
and 2 threads; set on every warehouse connection the process opens; a bad value is one line."""

from __future__ import annotations

import pytest

from pipelines.errors import ConfigError
from pipelines.settings import Settings
from pipelines.warehouse import limits
from pipelines.warehouse.store import connect


@pytest.fixture(autouse=True)
def _fresh_caps(monkeypatch):
    monkeypatch.setattr(limits, "_configured", {})
    monkeypatch.delenv("SALESMETRICS_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("SALESMETRICS_DUCKDB_THREADS", raising=False)


def caps_of_a_connection(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    try:
        return con.execute("select current_setting('memory_limit'), current_setting('threads')::int").fetchone()
    finally:
        con.close()


def test_the_file_sets_the_caps_and_the_environment_wins(tmp_path, monkeypatch):
    config = tmp_path / "salesmetrics.yml"
    config.write_text("warehouse:\n  memory_limit: 300MB\n  threads: 1\n")
    Settings.from_env({"SALESMETRICS_CONFIG": str(config)})
    memory, threads = caps_of_a_connection(tmp_path)
    assert threads == 1 and memory.replace(" ", "") in {"286.1MiB", "300.0MB"}, memory

    monkeypatch.setenv("SALESMETRICS_DUCKDB_THREADS", "3")
    assert caps_of_a_connection(tmp_path)[1] == 3


def test_without_either_the_defaults_hold(tmp_path):
    Settings.from_env({})
    memory, threads = caps_of_a_connection(tmp_path)
    assert threads == 2 and memory.replace(" ", "") in {"244.1MiB", "256.0MB"}, memory


@pytest.mark.parametrize(
    "section, message",
    [
        ("memory_limit: lots", "warehouse.memory_limit"),
        ("threads: 0", "warehouse.threads"),
    ],
)
def test_a_bad_value_in_the_file_names_the_key(tmp_path, section, message):
    config = tmp_path / "salesmetrics.yml"
    config.write_text(f"warehouse:\n  {section}\n")
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"SALESMETRICS_CONFIG": str(config)})
