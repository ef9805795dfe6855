"""Portals as a Dagster partition dimension: one partition per entry of salesmetrics.yml's `portals:`.

With a list, every asset (raw tables, dbt models, the dashboard) is partitioned by portal, and a run
is one portal: its token (read from the portal's `token_env` in the run's process, never stored in
Dagster), its base URL and tier, its warehouse, its reporting zone and quota file. Dagster tags
every partitioned run `dagster/partition=<portal>`; the instance's run queue
(`.dagster_home/dagster.yaml`, `tag_concurrency_limits`) admits one run per value of that tag, so
each warehouse has one writer while the portals run side by side, each run its own process
(Dagster's default run launcher; the Docker and Kubernetes launchers for many machines: README).

The daily schedule launches one run per portal. The partitions are static, read from the
configuration when the code location loads: after editing the list, reload the location.
Without a list nothing is partitioned and the single portal of HUBSPOT_ACCESS_TOKEN runs as before.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.portals import PortalConfig, find_portal, portal_settings
from pipelines.settings import Settings

PORTAL_TAG = "dagster/partition"  # Dagster sets it on every run of a partition, whoever launches it


def portal_partitions(settings: Settings) -> dg.StaticPartitionsDefinition | None:
    """One partition per configured portal; None (nothing partitioned) without a list."""
    portals = settings.config.portals
    return dg.StaticPartitionsDefinition([p.name for p in portals]) if portals else None


def run_portal(context, settings: Settings) -> PortalConfig | None:
    """The portal of this run (its partition), or None for the single-portal deployment."""
    if not settings.config.portals or not context.has_partition_key:
        return None
    return find_portal(settings.config, context.partition_key)


def run_settings(context, settings: Settings) -> Settings:
    """The run's settings: its portal's (warehouse, zone, quotas; no token needed), else `settings`."""
    portal = run_portal(context, settings)
    if portal is None:
        return settings
    return portal_settings(portal, with_token=False)


def run_client(context, hubspot, settings: Settings):
    """The HubSpot client of the run's portal (its token from its token_env), else the resource's."""
    from pipelines.errors import SalesmetricsError

    portal = run_portal(context, settings)
    if portal is None:
        return hubspot.client()
    try:
        return portal_settings(portal).client()
    except SalesmetricsError as exc:  # a missing token variable: one line in the UI, no retry
        raise dg.Failure(str(exc), allow_retries=False) from None


def run_warehouse_path(context, warehouse, settings: Settings) -> Path:
    portal = run_portal(context, settings)
    return Path(portal.db) if portal is not None else Path(warehouse.path)


def write_fleet_after_build(context, settings: Settings) -> None:
    """The fleet copy and page, after a portal's build (as `salesmetrics build --portal` does)."""
    if run_portal(context, settings) is None:
        return
    from pipelines.fleet.view import write_fleet

    fleet = write_fleet(settings.config, settings.as_of)
    if fleet is not None:
        context.log.info(f"fleet copy {fleet.copy} and page {fleet.page} ({len(fleet.portals)} portals)")


def portal_run_requests(
    context: dg.ScheduleEvaluationContext, job_name: str, portals: list[PortalConfig]
) -> list[dg.RunRequest]:
    """One run per portal for a scheduled tick; the run key makes a tick's requests idempotent."""
    tick = context.scheduled_execution_time.isoformat() if context.scheduled_execution_time else "manual"
    return [
        dg.RunRequest(run_key=f"{job_name}:{p.name}:{tick}", partition_key=p.name, tags={"salesmetrics/portal": p.name})
        for p in portals
    ]
