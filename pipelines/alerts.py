"""A failed Dagster run tells someone: a JSON line in an alert log, and a POST to a webhook if one
is configured (Slack, Teams and most chat tools accept a JSON POST on an incoming-webhook URL).

SALESMETRICS_ALERT_WEBHOOK: URL to POST `{"text": ..., "run_id": ..., ...}` to (default: none).
SALESMETRICS_ALERT_LOG: file the alerts are appended to (default: `<warehouse>.alerts.jsonl`).
"""

import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from pipelines.settings import Settings


def alert_log_path(settings: Settings) -> Path:
    db = settings.db_path
    return settings.alert_log or db.with_name(db.stem + ".alerts.jsonl")


def deliver(alert: dict[str, object], log: Path, url: str | None) -> None:
    """Append the alert to the log, then POST it to the webhook (if set); a webhook failure raises,
    so the sensor tick shows it in the UI (the log line is written first, nothing is lost)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(alert, default=str) + "\n")
    if url:
        request = urllib.request.Request(
            url,
            data=json.dumps(alert, default=str).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


def _step_error(event: dg.DagsterEvent) -> str | None:
    """What failed in one step: a `dg.Failure`'s description, else the exception's first line."""
    data = event.event_specific_data
    failure = getattr(data, "user_failure_data", None)
    if failure is not None and failure.description:
        return f"{event.step_key}: {failure.description}"
    error = getattr(data, "error", None)
    return f"{event.step_key}: {error.message.strip().splitlines()[0]}" if error is not None else None


def run_failure_alert(settings: Settings) -> dg.SensorDefinition:
    @dg.run_failure_sensor(
        name="run_failure_alert",
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Writes every failed run to the alert log and SALESMETRICS_ALERT_WEBHOOK.",
    )
    def run_failure_alert(context: dg.RunFailureSensorContext):
        run = context.dagster_run
        error = (
            "; ".join(filter(None, map(_step_error, context.get_step_failure_events())))
            or context.failure_event.message
            or "run failed"
        )
        deliver(
            {
                "text": f"salesmetrics: Dagster run {run.run_id} of {run.job_name} failed: {error}",
                "run_id": run.run_id,
                "job": run.job_name,
                "error": error,
                "at": datetime.now(UTC).isoformat(),
            },
            alert_log_path(settings),
            settings.alert_webhook,
        )

    return run_failure_alert
