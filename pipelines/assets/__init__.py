"""Dagster assets: one per HubSpot object (raw layer) and the dbt models."""
