"""Dagster resources, made from the settings read once when the code location loads.

The token goes through `dg.EnvVar`: Dagster resolves it when a run starts, and the definitions,
the run config and the UI only ever show the variable's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.hubspot.client import DEFAULT_BASE_URL, HubSpotClient
from pipelines.hubspot.objects import CrmObject
from pipelines.project import dbt_project
from pipelines.settings import Settings, hubspot_client
from pipelines.sync import crm_objects
from pipelines.transform import dbt_executable, dbt_variables, environment
from pipelines.warehouse.store import Warehouse


class HubSpotResource(dg.ConfigurableResource):
    """Read-only access to a HubSpot portal (or any server speaking its wire format)."""

    access_token: str
    base_url: str = DEFAULT_BASE_URL
    tier: str = "starter"
    # our deal columns -> the portal's property names (`deals.property_mapping` of salesmetrics.yml)
    property_mapping: dict[str, str] = {}

    def client(self) -> HubSpotClient:
        return hubspot_client(self.access_token, self.base_url, self.tier)

    def crm_objects(self) -> tuple[CrmObject, ...]:
        return crm_objects(self.property_mapping)


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. Open it only for the duration of a write: one writer at a time."""

    path: str

    def open(self) -> Warehouse:
        return Warehouse(Path(self.path))


class WarehouseDbtResource(DbtCliResource):
    """dagster-dbt's dbt, pointed at the warehouse: profiles.yml reads SALESMETRICS_DB, and dagster-dbt
    hands dbt this process's environment, so the path is set there for the one call that starts dbt."""

    warehouse_path: str

    def cli(self, args: Sequence[str], **kwargs: Any):  # type: ignore[override]
        return self.cli_at(self.warehouse_path, args, **kwargs)

    def cli_at(self, warehouse_path: str, args: Sequence[str], **kwargs: Any):
        """dbt against another warehouse: a portal partition's run (assets/portal_partitions.py)."""
        with environment(dbt_variables(warehouse_path)):
            return super().cli(args, **kwargs)


def salesmetrics_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    return {
        # With a portals: list each run reads its own portal's token_env (assets/portal_partitions.py).
        "hubspot": HubSpotResource(
            access_token="" if settings.config.portals else dg.EnvVar("HUBSPOT_ACCESS_TOKEN"),
            base_url=settings.base_url,
            tier=settings.tier,
            property_mapping=settings.property_mapping,
        ),
        "warehouse": WarehouseResource(path=str(settings.db_path)),
        # The dbt of this environment, whether or not the venv is on PATH.
        "dbt": WarehouseDbtResource(
            project_dir=dbt_project(), dbt_executable=dbt_executable(), warehouse_path=str(settings.db_path)
        ),
    }
