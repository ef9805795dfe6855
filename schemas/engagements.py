"""Engagements: calls, emails, meetings, notes and tasks, each its own HubSpot object."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.base import HubSpotRecord


class Engagement(HubSpotRecord):
    """Columns all five engagement objects share. `hs_timestamp` is when the activity happened."""

    hs_timestamp: Series[pd.Timestamp] = pa.Field(nullable=False)
    hubspot_owner_id: Series[str] = pa.Field(nullable=True)
    hs_createdate: Series[pd.Timestamp] = pa.Field(nullable=True)
    hs_lastmodifieddate: Series[pd.Timestamp] = pa.Field(nullable=False)


class RawCalls(Engagement):
    hs_call_direction: Series[str] = pa.Field(nullable=True, isin=["INBOUND", "OUTBOUND"])
    hs_call_disposition: Series[str] = pa.Field(nullable=True)
    hs_call_duration: Series[float] = pa.Field(nullable=True, ge=0)  # milliseconds
    hs_call_status: Series[str] = pa.Field(nullable=True)
    hs_call_title: Series[str] = pa.Field(nullable=True)


class RawEmails(Engagement):
    hs_email_direction: Series[str] = pa.Field(nullable=True, isin=["EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"])
    hs_email_status: Series[str] = pa.Field(nullable=True)
    hs_email_subject: Series[str] = pa.Field(nullable=True)


class RawMeetings(Engagement):
    hs_meeting_title: Series[str] = pa.Field(nullable=True)
    hs_meeting_start_time: Series[pd.Timestamp] = pa.Field(nullable=True)
    hs_meeting_end_time: Series[pd.Timestamp] = pa.Field(nullable=True)
    hs_meeting_outcome: Series[str] = pa.Field(nullable=True)


class RawNotes(Engagement):
    pass


class RawTasks(Engagement):
    hs_task_subject: Series[str] = pa.Field(nullable=True)
    hs_task_status: Series[str] = pa.Field(nullable=True)
    hs_task_priority: Series[str] = pa.Field(nullable=True)
    hs_task_type: Series[str] = pa.Field(nullable=True)
