"""Dagster resources, configured from environment variables (no per-environment dicts)."""


import os
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.hubspot.client import DEFAULT_BASE_URL, HubSpotClient
from pipelines.hubspot.rate_limits import Budgets, RateLimiters
from pipelines.project import DBT_PROJECT, warehouse_path
from pipelines.transform import dbt_executable
from pipelines.warehouse.store import Warehouse


class HubSpotResource(dg.ConfigurableResource):
    """Read-only access to a HubSpot portal (or any server speaking its wire format)."""

    access_token: str
    base_url: str = DEFAULT_BASE_URL
    tier: str = "starter"

    def client(self) -> HubSpotClient:
        from pipelines.settings import limiter_key

        limiters = RateLimiters.shared(limiter_key(self.base_url, self.access_token), Budgets.for_tier(self.tier))
        return HubSpotClient(self.access_token, self.base_url, limiters=limiters)


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file. Open it only for the duration of a write: one writer at a time."""

    path: str

    def open(self) -> Warehouse:
        return Warehouse(Path(self.path))


def build_resources() -> dict[str, object]:
    from pipelines.assets.portal_partitions import configured_portals

    return {
        "hubspot": HubSpotResource(
            # With a portals: list each run reads its portal's own token_env (assets/portal_partitions.py).
            access_token=dg.EnvVar("HUBSPOT_ACCESS_TOKEN") if not configured_portals() else "",
            base_url=os.environ.get("HUBSPOT_BASE_URL", DEFAULT_BASE_URL),
            tier=os.environ.get("HUBSPOT_TIER", "starter"),
        ),
        "warehouse": WarehouseResource(path=str(warehouse_path())),
        # The dbt of this environment, whether or not the venv is on PATH.
        "dbt": DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable()),
    }
