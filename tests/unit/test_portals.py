"""The `portals:` list: its checks, each portal's settings, and the Dagster side (partitions, a run
per portal from the schedule, the run queue's limits in .dagster_home/dagster.yaml)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from pipelines.config import load_config
from pipelines.errors import ConfigError, UsageError
from pipelines.portals import portal_settings, resolve_settings
from pipelines.settings import Settings, limiter_key

REPO = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "salesmetrics.yml"
    path.write_text(textwrap.dedent(text))
    return path


def test_portal_entries_with_their_defaults(tmp_path):
    path = _config(
        tmp_path,
        """
        portals:
          - {name: acme, token_env: ACME_TOKEN, currency: EUR, timezone: Europe/Berlin, tier: professional}
          - {name: beta_2, token_env: BETA_TOKEN, db: other/beta.duckdb, base_url: "http://127.0.0.1:9/"}
    """,
    )
    acme, beta = load_config(path).portals
    assert acme.db == (tmp_path / "data" / "acme.duckdb").resolve()  # beside the configuration file
    assert beta.db == (tmp_path / "other" / "beta.duckdb").resolve()
    assert beta.base_url == "http://127.0.0.1:9" and acme.currency == "EUR"


@pytest.mark.parametrize(
    "entry, message",
    [
        ("{name: Acme, token_env: T}", "'portals.0.name': Value error, a portal name is a lowercase letter"),
        ("{name: acme}", "'portals.0.token_env': Field required (value not shown)"),
        ("{name: acme, token_env: T, currency: euro}", "currency is a 3-letter ISO 4217 code"),
        ("{name: acme, token_env: T, tier: gold}", "tier must be one of free, starter"),
        ("{name: acme, token_env: T, timezone: Mars/Base}", "'Mars/Base' is not an IANA time zone"),
        ("{name: acme, token_env: T, token: pat-na1-secret}", "unknown key 'portals.0.token'"),
    ],
)
def test_a_bad_entry_is_one_line_naming_the_key(tmp_path, entry, message):
    path = _config(tmp_path, f"portals:\n  - {entry}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert f"{path} line 2: " in str(info.value) and message in str(info.value)
    assert "secret" not in str(info.value)


def test_a_token_pasted_as_token_env_is_never_repeated(tmp_path):
    path = _config(tmp_path, "portals:\n  - name: acme\n    token_env: pat-na1-0123-secret-value\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert "line 3" in text and "NAME of the environment variable" in text and "pat-na1" not in text


@pytest.mark.parametrize(
    "second, message",
    [
        ("{name: acme, token_env: B}", "each portal name may appear once; repeated: acme"),
        ("{name: beta, token_env: B, db: data/acme.duckdb}", "each portal needs its own warehouse file"),
    ],
)
def test_names_and_warehouses_are_unique(tmp_path, second, message):
    path = _config(tmp_path, f"portals:\n  - {{name: acme, token_env: A}}\n  - {second}\n")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_each_portal_has_its_own_settings_and_limiters(tmp_path, monkeypatch):
    path = _config(
        tmp_path,
        """
        reporting: {timezone: UTC}
        portals:
          - {name: acme, token_env: ACME_TOKEN, base_url: "https://api.hubapi.com", timezone: Asia/Kolkata}
          - {name: beta, token_env: BETA_TOKEN, base_url: "https://api.hubapi.com"}
    """,
    )
    monkeypatch.setenv("SALESMETRICS_CONFIG", str(path))
    monkeypatch.setenv("ACME_TOKEN", "token-a")
    monkeypatch.setenv("BETA_TOKEN", "token-b")
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "token-single")
    acme, beta = resolve_settings("acme"), resolve_settings("beta")
    assert acme.require_token() == "token-a" and beta.require_token() == "token-b"
    assert acme.db_path == tmp_path / "data" / "acme.duckdb" and beta.db_path == tmp_path / "data" / "beta.duckdb"
    assert (acme.timezone, beta.timezone) == ("Asia/Kolkata", "UTC")
    assert resolve_settings("acme", timezone="Europe/Berlin").timezone == "Europe/Berlin"  # a flag wins
    # one address, two portals: two budgets
    assert acme.client().limiters is not beta.client().limiters
    assert limiter_key(acme.base_url, "token-a") != limiter_key(beta.base_url, "token-b")
    assert "token-a" not in limiter_key(acme.base_url, "token-a")
    with pytest.raises(UsageError, match=r"lists portals \(acme, beta\): choose one with --portal NAME"):
        resolve_settings(None)
    with pytest.raises(UsageError, match="'gamma' is not in salesmetrics.yml; its portals: acme, beta"):
        resolve_settings("gamma")
    monkeypatch.delenv("BETA_TOKEN")
    with pytest.raises(ConfigError, match="portal beta: the environment variable BETA_TOKEN"):
        resolve_settings("beta")


def test_without_a_list_the_single_portal_is_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv("SALESMETRICS_CONFIG", str(_config(tmp_path, "reporting: {timezone: UTC}\n")))
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "token-single")
    assert resolve_settings(None) == Settings.from_env()
    with pytest.raises(UsageError, match="has no `portals:` list"):
        resolve_settings("acme")


def test_dagster_partitions_a_run_per_portal_and_the_queue_limits(tmp_path):
    """The code location as Dagster loads it (a fresh process, the configuration beside it)."""
    _config(
        tmp_path,
        """
        portals:
          - {name: acme, token_env: ACME_TOKEN}
          - {name: beta, token_env: BETA_TOKEN}
          - {name: gamma, token_env: GAMMA_TOKEN}
    """,
    )
    script = textwrap.dedent("""
        import datetime, json, warnings
        warnings.simplefilter("ignore")
        import dagster as dg
        from pipelines.definitions import defs as load_definitions
        defs = load_definitions()
        dg.Definitions.validate_loadable(defs)
        repo = defs.get_repository_def()
        jobs = {name: defs.resolve_job_def(name) for name in
                ("hubspot_daily_sync", "hubspot_first_load", "hubspot_backfill", "hubspot_weekly_reconcile")}
        out = {"partitions": {n: j.partitions_def.get_partition_keys() for n, j in jobs.items()},
               "tags": {n: dict(j.tags) for n, j in jobs.items()}, "requests": {}}
        for name in ("hubspot_daily_sync_schedule", "hubspot_weekly_reconcile_schedule"):
            schedule = defs.get_schedule_def(name)
            with dg.build_schedule_context(scheduled_execution_time=datetime.datetime(2026, 11, 1, 6),
                                           repository_def=repo) as context:
                out["requests"][name] = [(r.partition_key, r.tags.get("dagster/partition"))
                                         for r in schedule.evaluate_tick(context).run_requests]
        print(json.dumps(out))
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "DAGSTER_DISABLE_TELEMETRY": "1", "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.splitlines()[-1])
    for job, keys in out["partitions"].items():
        assert keys == ["acme", "beta", "gamma"], job
        assert out["tags"][job] == {}, job  # queued per portal, not by the single-warehouse tag
    for name, requests in out["requests"].items():
        assert requests == [["acme", "acme"], ["beta", "beta"], ["gamma", "gamma"]], name

    instance = yaml.safe_load((REPO / ".dagster_home" / "dagster.yaml").read_text())
    limits = instance["run_queue"]["tag_concurrency_limits"]
    assert {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in limits
    assert {"key": "salesmetrics/warehouse", "value": "single", "limit": 1} in limits
    assert instance["run_queue"]["max_concurrent_runs"] >= 2


def test_portal_settings_never_put_the_token_in_errors(tmp_path, monkeypatch):
    path = _config(tmp_path, "portals:\n  - {name: acme, token_env: ACME_TOKEN, quotas: missing.csv}\n")
    portal = load_config(path).portals[0]
    with pytest.raises(ConfigError) as info:
        portal_settings(portal, env={"ACME_TOKEN": "token-a", "SALESMETRICS_CONFIG": str(path)})
    assert str(info.value).startswith("portal acme: SALESMETRICS_QUOTAS points at") and "token-a" not in str(info.value)


def test_the_run_queue_admits_one_run_per_portal_and_one_for_the_single_warehouse(tmp_path):
    """Dagster's own queue (its QueuedRunCoordinator daemon's choice of runs to start) under the
    instance configuration of .dagster_home/dagster.yaml, on a real instance in a temp home."""
    import shutil

    from dagster import DagsterInstance, DagsterRunStatus
    from dagster._core.remote_origin import RegisteredCodeLocationOrigin, RemoteJobOrigin, RemoteRepositoryOrigin
    from dagster._core.test_utils import create_run_for_test
    from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon

    shutil.copy(REPO / ".dagster_home" / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = DagsterInstance.from_config(str(tmp_path))
    daemon = QueuedRunCoordinatorDaemon(interval_seconds=1)

    origin = RemoteJobOrigin(
        RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("pipelines.definitions"), "__repository__"),
        "hubspot_daily_sync",
    )

    def queue(tags: dict[str, str]):
        return create_run_for_test(
            instance, job_name="hubspot_daily_sync", status=DagsterRunStatus.QUEUED, tags=tags, remote_job_origin=origin
        )

    def next_runs() -> list[str]:
        runs = daemon._get_runs_to_dequeue(instance, instance.get_concurrency_config(), fixed_iteration_time=None)
        return [run.run_id for run in runs]

    def start(run_ids: list[str]) -> None:
        for run_id in run_ids:
            instance.run_storage.handle_run_event(run_id, _event(run_id, "PIPELINE_STARTING"))

    try:
        acme1, acme2 = queue({"dagster/partition": "acme"}), queue({"dagster/partition": "acme"})
        beta1, gamma1 = queue({"dagster/partition": "beta"}), queue({"dagster/partition": "gamma"})
        first = next_runs()
        assert first == [acme1.run_id, beta1.run_id]  # two at once, never two of one portal
        start(first)
        assert next_runs() == []  # max_concurrent_runs reached
        instance.run_storage.handle_run_event(acme1.run_id, _event(acme1.run_id, "PIPELINE_SUCCESS"))
        assert next_runs() == [acme2.run_id]  # acme's warehouse is free again
        start([acme2.run_id])
        instance.run_storage.handle_run_event(beta1.run_id, _event(beta1.run_id, "PIPELINE_SUCCESS"))
        instance.run_storage.handle_run_event(acme2.run_id, _event(acme2.run_id, "PIPELINE_SUCCESS"))
        assert next_runs() == [gamma1.run_id]
        start([gamma1.run_id])
        instance.run_storage.handle_run_event(gamma1.run_id, _event(gamma1.run_id, "PIPELINE_SUCCESS"))

        single1, _single2 = queue({"salesmetrics/warehouse": "single"}), queue({"salesmetrics/warehouse": "single"})
        assert next_runs() == [single1.run_id]  # the single portal's one warehouse: one run at a time
    finally:
        instance.dispose()


def _event(run_id: str, kind: str):
    from dagster._core.events import DagsterEvent, DagsterEventType

    return DagsterEvent(DagsterEventType[kind].value, job_name="hubspot_daily_sync")
