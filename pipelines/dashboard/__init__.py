"""The sales dashboard: a self-contained HTML page beside the warehouse, rebuilt with the marts
(queries -> page), and a small local server that lets an open page follow new builds."""

from pipelines.dashboard.page import build_id_of, dashboard_path, write_dashboard

__all__ = ["build_id_of", "dashboard_path", "write_dashboard"]
