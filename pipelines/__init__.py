"""salesmetrics: HubSpot -> pandera -> DuckDB -> dbt marts, orchestrated by Dagster."""
