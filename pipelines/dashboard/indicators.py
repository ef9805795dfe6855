"""Lead or lag, for every measure the dashboard shows.

The playbook puts leading indicators (inputs a rep controls this week, which predict results)
beside lagging ones (results). The dbt yml may carry `meta: {indicator: lead|lag}` per mart
column; when dbt's manifest has it, it wins, and this table covers the rest (and the few
measures the dashboard derives, such as GRR and quota pace).
"""

from __future__ import annotations

import json
from pathlib import Path

LEAD, LAG, MIXED = "lead", "lag", "mixed"

INDICATORS: dict[str, str] = {
    # company health: results
    **dict.fromkeys(
        [
            "arr",
            "customers",
            "new_arr",
            "expansion_arr",
            "reactivation_arr",
            "contraction_arr",
            "churned_arr",
            "logo_churn_rate",
            "grr",
            "nrr",
        ],
        LAG,
    ),
    # deal results
    **dict.fromkeys(
        [
            "deals_won",
            "deals_lost",
            "won_amount",
            "win_rate",
            "avg_deal_size",
            "arpa",
            "profit_margin",
            "avg_sales_cycle_days",
            "avg_won_cycle_days",
        ],
        LAG,
    ),
    # pipeline inputs
    **dict.fromkeys(["opportunities_created", "pipeline_created_amount", "conversion_rate", "pipeline_coverage"], LEAD),
    # quota: results against the period's quota, and how fast they come
    **dict.fromkeys(["revenue_attainment", "deal_attainment", "revenue_pace", "deal_pace"], LAG),
    # rep activity: inputs
    **dict.fromkeys(
        [
            "calls",
            "connected_calls",
            "avg_talk_time_seconds",
            "positive_disposition_rate",
            "meetings_booked",
            "meetings_per_conversation",
            "emails_sent",
            "emails_received",
        ],
        LEAD,
    ),
    # north star: revenue results, and the pipeline the plan asks for (opportunities are an input)
    **dict.fromkeys(["revenue_target", "won_to_date", "expected_to_date", "pace", "deals_needed"], LAG),
    "opportunities_needed": LEAD,
    # a scorecard blends both by design
    "total_points": MIXED,
}


def manifest_indicators(manifest_path: Path) -> dict[str, str]:
    """`meta.indicator` of every mart column in dbt's manifest, by column name (empty if none)."""
    try:
        manifest = json.loads(Path(manifest_path).read_text())
    except (OSError, ValueError):
        return {}
    found: dict[str, str] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "model" or node.get("schema") != "marts":
            continue
        for name, column in (node.get("columns") or {}).items():
            meta = {**(column.get("config") or {}).get("meta", {}), **(column.get("meta") or {})}
            if meta.get("indicator") in (LEAD, LAG):
                found[name] = meta["indicator"]
    return found


def indicators(manifest_path: Path | None = None) -> dict[str, str]:
    """The dashboard's measures, each lead, lag or (scorecard points) mixed."""
    declared = manifest_indicators(manifest_path) if manifest_path else {}
    return {measure: declared.get(measure, kind) for measure, kind in INDICATORS.items()}
