"""pandera schemas of the flattened, typed HubSpot frames about to be written to the raw layer.

One `DataFrameModel` per HubSpot object, named after it. Columns keep HubSpot's names (dbt staging
renames). This package imports nothing from `pipelines`.
"""

import os

os.environ.setdefault("DISABLE_PANDERA_IMPORT_WARNING", "True")

from schemas.base import HubSpotRecord  # noqa: E402
from schemas.companies import RawCompanies  # noqa: E402
from schemas.deals import RawDealCompanies, RawDeals, RawDealStageHistory, deals_schema  # noqa: E402
from schemas.engagements import RawCalls, RawEmails, RawMeetings, RawNotes, RawTasks  # noqa: E402
from schemas.goal_targets import RawGoalTargets  # noqa: E402
from schemas.quotas import QuotaFile  # noqa: E402
from schemas.reference import RawDealPipelineStages, RawOwners  # noqa: E402

# Raw table name -> the model that checks it.
SCHEMAS = {
    "deals": RawDeals,
    "companies": RawCompanies,
    "calls": RawCalls,
    "emails": RawEmails,
    "meetings": RawMeetings,
    "notes": RawNotes,
    "tasks": RawTasks,
    "goal_targets": RawGoalTargets,
    "owners": RawOwners,
    "deal_pipeline_stages": RawDealPipelineStages,
    "deal_stage_history": RawDealStageHistory,
    "deal_companies": RawDealCompanies,
}

__all__ = [
    "SCHEMAS",
    "HubSpotRecord",
    "QuotaFile",
    "RawCalls",
    "RawCompanies",
    "RawDealCompanies",
    "RawDealPipelineStages",
    "RawDealStageHistory",
    "RawDeals",
    "RawEmails",
    "RawGoalTargets",
    "RawMeetings",
    "RawNotes",
    "RawOwners",
    "RawTasks",
    "deals_schema",
]
