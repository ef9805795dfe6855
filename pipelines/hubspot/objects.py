"""The registry of HubSpot objects we sync: which properties, typed how, read through which API.

Everything that differs between objects lives here, so extraction, flattening, the raw DDL and the
pandera schemas stay generic. Property types describe the *flattened* column (HubSpot sends strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

PropertyType = Literal["string", "number", "datetime", "bool", "int"]

# Columns every CRM object row carries besides its properties (top-level envelope fields).
ENVELOPE_COLUMNS: dict[str, PropertyType] = {
    "id": "string",
    "created_at": "datetime",
    "updated_at": "datetime",
    "archived": "bool",
    "archived_at": "datetime",
}

# Bookkeeping columns the loader adds to every raw table.
LOAD_COLUMNS: dict[str, PropertyType] = {
    "_sync_id": "string",
    "_loaded_at": "datetime",
}


@dataclass(frozen=True)
class ChildTable:
    """Rows hanging off a parent record, replaced whenever the parent is read.

    Attributes:
        name: the raw table.
        columns: its columns, load columns included.
        parent_column: the column holding the parent's id.
        history_of: the property whose `propertiesWithHistory` fills the table (a row per value), or
        association: the associated object type that fills it (a row per association; `companies`).
    """

    name: str
    columns: dict[str, PropertyType]
    parent_column: str
    history_of: str | None = None
    association: str | None = None


@dataclass(frozen=True)
class CrmObject:
    """A HubSpot CRM v3 object read through list/search/batch endpoints.

    Attributes:
        name: our table name and Dagster asset name (plural, HubSpot's path segment where it has one).
        api_path: the `/crm/v3/objects/<api_path>` segment.
        properties: HubSpot property name -> flattened column type.
        scope: the private-app scope the endpoint needs (named in 403 errors).
        cursor_property: property used for incremental search windows.
        children: child tables read with each record (property history, associations).
        stage_column: a column whose value must be a stage of the portal's pipelines.
        extra_columns: columns derived from the children.
        property_sources: column -> HubSpot property it is read from, where they differ (the analyst's
            property mapping).
    """

    name: str
    api_path: str
    properties: dict[str, PropertyType]
    scope: str
    cursor_property: str = "hs_lastmodifieddate"
    children: tuple[ChildTable, ...] = ()
    stage_column: str | None = None
    extra_columns: dict[str, PropertyType] = field(default_factory=dict)
    property_sources: dict[str, str] = field(default_factory=dict)

    @property
    def history_properties(self) -> tuple[str, ...]:
        """Properties read with `propertiesWithHistory`."""
        return tuple(child.history_of for child in self.children if child.history_of)

    @property
    def associations(self) -> tuple[str, ...]:
        """Object types whose associations are read with each record."""
        return tuple(child.association for child in self.children if child.association)

    @property
    def reread_after_search(self) -> bool:
        """Search returns neither history nor associations: its records are read again by id."""
        return bool(self.children)

    @property
    def merges(self) -> bool:
        """Whether the object lists the records merged into it (HubSpot drops those without archiving)."""
        return "hs_merged_object_ids" in self.properties

    def source(self, column: str) -> str:
        """The HubSpot property a column is read from."""
        return self.property_sources.get(column, column)

    @property
    def api_properties(self) -> list[str]:
        """Property names to request from HubSpot."""
        return [self.source(column) for column in self.properties]

    def with_property_sources(self, sources: dict[str, str]) -> CrmObject:
        """This object reading some columns from other (custom) HubSpot properties."""
        unknown = sorted(set(sources) - set(self.properties))
        if unknown:
            raise ValueError(f"{self.name} has no column {', '.join(unknown)}")
        return replace(self, property_sources={k: v for k, v in sources.items() if k != v})

    @property
    def columns(self) -> dict[str, PropertyType]:
        """All columns of the raw table, in order: envelope, properties, derived, load."""
        return {**ENVELOPE_COLUMNS, **self.properties, **self.extra_columns, **LOAD_COLUMNS}


_ENGAGEMENT_COMMON: dict[str, PropertyType] = {
    "hs_timestamp": "datetime",
    "hubspot_owner_id": "string",
    "hs_createdate": "datetime",
    "hs_lastmodifieddate": "datetime",
}

DEAL_STAGE_HISTORY = ChildTable(
    name="deal_stage_history",
    columns={
        "deal_id": "string",
        "dealstage": "string",
        "changed_at": "datetime",
        "source_type": "string",
        **LOAD_COLUMNS,
    },
    parent_column="deal_id",
    history_of="dealstage",
)
DEAL_COMPANIES = ChildTable(
    name="deal_companies",
    columns={"deal_id": "string", "company_id": "string", "is_primary": "bool", **LOAD_COLUMNS},
    parent_column="deal_id",
    association="companies",
)

DEALS = CrmObject(
    name="deals",
    api_path="deals",
    scope="crm.objects.deals.read",
    properties={
        "dealname": "string",
        "amount": "number",
        "amount_in_home_currency": "number",
        "deal_currency_code": "string",
        "pipeline": "string",
        "dealstage": "string",
        "closedate": "datetime",
        "createdate": "datetime",
        "hs_lastmodifieddate": "datetime",
        "hubspot_owner_id": "string",
        "hs_is_closed": "bool",
        "hs_is_closed_won": "bool",
        "hs_deal_stage_probability": "number",
        "dealtype": "string",
        "hs_merged_object_ids": "string",
        # Custom properties of the default property mapping (docs/metrics.md, "Rules every mart follows").
        "contract_term_months": "number",
        "contract_start_date": "datetime",
        "cost_of_fulfillment": "number",
    },
    children=(DEAL_STAGE_HISTORY, DEAL_COMPANIES),
    # A deal in a stage no pipeline has cannot be classed won, lost or open: it is quarantined.
    stage_column="dealstage",
    # Derived from the deal's company associations: the company with the Primary label (type 5).
    extra_columns={"primary_company_id": "string"},
)

COMPANIES = CrmObject(
    name="companies",
    api_path="companies",
    scope="crm.objects.companies.read",
    properties={
        "name": "string",
        "domain": "string",
        "industry": "string",
        "hubspot_owner_id": "string",
        "annualrevenue": "number",
        "createdate": "datetime",
        "hs_lastmodifieddate": "datetime",
        "hs_merged_object_ids": "string",
    },
)

CALLS = CrmObject(
    name="calls",
    api_path="calls",
    scope="crm.objects.calls.read",
    properties={
        **_ENGAGEMENT_COMMON,
        "hs_call_direction": "string",
        "hs_call_disposition": "string",
        "hs_call_duration": "number",  # milliseconds
        "hs_call_status": "string",
        "hs_call_title": "string",
    },
)

EMAILS = CrmObject(
    name="emails",
    api_path="emails",
    scope="sales-email-read",
    properties={
        **_ENGAGEMENT_COMMON,
        "hs_email_direction": "string",
        "hs_email_status": "string",
        "hs_email_subject": "string",
    },
)

MEETINGS = CrmObject(
    name="meetings",
    api_path="meetings",
    scope="crm.objects.meetings.read",
    properties={
        **_ENGAGEMENT_COMMON,
        "hs_meeting_title": "string",
        "hs_meeting_start_time": "datetime",
        "hs_meeting_end_time": "datetime",
        "hs_meeting_outcome": "string",
    },
)

NOTES = CrmObject(
    name="notes",
    api_path="notes",
    scope="crm.objects.notes.read",
    properties={**_ENGAGEMENT_COMMON},
)

TASKS = CrmObject(
    name="tasks",
    api_path="tasks",
    scope="crm.objects.tasks.read",
    properties={
        **_ENGAGEMENT_COMMON,
        "hs_task_subject": "string",
        "hs_task_status": "string",
        "hs_task_priority": "string",
        "hs_task_type": "string",
    },
)

GOAL_TARGETS = CrmObject(
    name="goal_targets",
    api_path="goal_targets",
    scope="crm.objects.goals.read",
    properties={
        "hs_goal_name": "string",
        "hs_target_amount": "number",
        "hs_start_datetime": "datetime",
        "hs_end_datetime": "datetime",
        "hs_assignee_user_id": "string",
        "hs_assignee_team_id": "string",
        "hs_created_by_user_id": "string",
        "hs_goal_type": "string",
        "hs_createdate": "datetime",
        "hs_lastmodifieddate": "datetime",
    },
)

CRM_OBJECTS: tuple[CrmObject, ...] = (DEALS, COMPANIES, CALLS, EMAILS, MEETINGS, NOTES, TASKS, GOAL_TARGETS)

# Reference objects read whole on every sync (small; no search endpoint, no incremental cursor).
OWNERS_COLUMNS: dict[str, PropertyType] = {
    "id": "string",
    "email": "string",
    "first_name": "string",
    "last_name": "string",
    "user_id": "int",
    "primary_team_id": "string",
    "primary_team_name": "string",
    "created_at": "datetime",
    "updated_at": "datetime",
    "archived": "bool",
    **LOAD_COLUMNS,
}
PIPELINE_STAGES_COLUMNS: dict[str, PropertyType] = {
    "pipeline_id": "string",
    "pipeline_label": "string",
    "pipeline_display_order": "int",
    "pipeline_archived": "bool",
    "stage_id": "string",
    "stage_label": "string",
    "display_order": "int",
    "is_closed": "bool",
    "probability": "number",
    "archived": "bool",
    **LOAD_COLUMNS,
}
# Call outcomes (GUID -> label) from /calling/v1/dispositions: the six standard ones plus the
# portal's custom outcomes. Read whole every sync.
CALL_DISPOSITIONS_COLUMNS: dict[str, PropertyType] = {
    "id": "string",
    "label": "string",
    **LOAD_COLUMNS,
}
