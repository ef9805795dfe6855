"""DuckDB's memory and threads: the environment, else `warehouse:` in salesmetrics.yml, else 1GB
and 2 threads; set on every warehouse connection the process opens; a bad value is one line. While
a sync writes, the instance runs at the sync's cap (64MB, never above the memory limit)."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.errors import ConfigError
from pipelines.settings import Settings
from pipelines.warehouse import limits
from pipelines.warehouse.store import Warehouse, connect


@pytest.fixture(autouse=True)
def _fresh_caps(monkeypatch):
    monkeypatch.setattr(limits, "_configured", {})
    monkeypatch.delenv("SALESMETRICS_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("SALESMETRICS_DUCKDB_THREADS", raising=False)
    monkeypatch.delenv("SALESMETRICS_DUCKDB_SYNC_MEMORY_LIMIT", raising=False)


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
    assert threads == 2 and memory.replace(" ", "") in {"953.6MiB", "1.0GB"}, memory


@pytest.mark.parametrize(
    "section, message",
    [
        ("memory_limit: lots", "warehouse.memory_limit"),
        ("threads: 0", "warehouse.threads"),
        ("sync_memory_limit: little", "warehouse.sync_memory_limit"),
    ],
)
def test_a_bad_value_in_the_file_names_the_key(tmp_path, section, message):
    config = tmp_path / "salesmetrics.yml"
    config.write_text(f"warehouse:\n  {section}\n")
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"SALESMETRICS_CONFIG": str(config)})


def memory_of(con) -> str:
    return con.execute("select current_setting('memory_limit')").fetchone()[0].replace(" ", "")


def test_a_sync_writes_at_its_own_cap_and_what_follows_gets_the_memory_limit_back(tmp_path):
    Settings.from_env({})
    with Warehouse(tmp_path / "w.duckdb") as wh:
        assert memory_of(wh.con) in {"953.6MiB", "1.0GB"}
        with wh.capped_for_sync():
            assert memory_of(wh.con) in {"61.0MiB", "64.0MB"}
            other = duckdb.connect(str(tmp_path / "w.duckdb"))  # as dbt's: the same instance, its cap
            assert memory_of(other) in {"61.0MiB", "64.0MB"}
        assert memory_of(wh.con) in {"953.6MiB", "1.0GB"} and memory_of(other) in {"953.6MiB", "1.0GB"}
        other.close()


def test_the_sync_cap_comes_from_the_file_or_the_environment_and_never_exceeds_the_memory_limit(tmp_path, monkeypatch):
    config = tmp_path / "salesmetrics.yml"
    config.write_text("warehouse:\n  sync_memory_limit: 32MB\n")
    Settings.from_env({"SALESMETRICS_CONFIG": str(config)})
    assert limits.sync_memory_cap() == limits.MemoryCap(
        "32MB", "warehouse.sync_memory_limit", "SALESMETRICS_DUCKDB_SYNC_MEMORY_LIMIT"
    )
    monkeypatch.setenv("SALESMETRICS_DUCKDB_SYNC_MEMORY_LIMIT", "48MB")
    assert limits.sync_memory_cap().value == "48MB"
    monkeypatch.setenv("SALESMETRICS_DUCKDB_MEMORY_LIMIT", "40MB")  # lower than the sync's: it holds
    assert limits.sync_memory_cap() == limits.memory_cap() and limits.memory_cap().value == "40MB"


def test_running_out_of_memory_while_a_sync_writes_names_the_sync_cap(tmp_path, monkeypatch):
    monkeypatch.setenv("SALESMETRICS_DUCKDB_SYNC_MEMORY_LIMIT", "2MB")
    Settings.from_env({})
    with Warehouse(tmp_path / "w.duckdb") as wh:
        with pytest.raises(ConfigError, match=r"cap of 2MB \(warehouse.sync_memory_limit"):
            with wh.capped_for_sync():
                wh.con.execute("select list(range) from range(5000000)").fetchall()
        assert memory_of(wh.con) in {"953.6MiB", "1.0GB"}
        assert len(wh.con.execute("select list(range) from range(5000000)").fetchone()[0]) == 5_000_000
