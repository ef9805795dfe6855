"""The Dagster code location (`workspace.yaml` loads it): merges the small definition sets.

Nothing happens at import. Dagster calls `defs` when it loads the location (and again in each run's
process): the settings are read there, once, and every set is made from them.
"""

import dagster as dg

from pipelines.alerts import run_failure_alert
from pipelines.assets.dbt import dbt_definitions
from pipelines.assets.hubspot import hubspot_definitions
from pipelines.project import dbt_project
from pipelines.resources import salesmetrics_resources
from pipelines.schedules import schedule_definitions
from pipelines.settings import Settings


@dg.definitions
def defs() -> dg.Definitions:
    settings = Settings.from_env().in_repository()
    return dg.Definitions.merge(
        # With a `portals:` list every set is partitioned by portal (assets/portal_partitions.py).
        hubspot_definitions(settings.quarantine_max_share, settings),
        dbt_definitions(settings, dbt_project()),
        schedule_definitions(settings.config.schedule.cron, settings),
        dg.Definitions(sensors=[run_failure_alert(settings)]),
        # DuckDB takes one writer per file: steps run one after another, in one process.
        dg.Definitions(resources=salesmetrics_resources(settings), executor=dg.in_process_executor),
    )
