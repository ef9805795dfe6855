"""Shared fixtures: the generated small portal, a hand-built tiny portal, servers, a raw HTTP helper."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest

from pipelines.demo_portal import DemoPortalServer, PortalData, generate_portal, make_record

END = dt.date(2026, 11, 26)
TOKEN = "demo-token"


@pytest.fixture(scope="session")
def small() -> PortalData:
    """The generated small portal. Shared: tests must not mutate it (use `fresh_small`)."""
    return generate_portal(seed=7, size="small", end_date=END)


@pytest.fixture
def fresh_small() -> PortalData:
    return generate_portal(seed=7, size="small", end_date=END)


@pytest.fixture(scope="session")
def small_server(small: PortalData):
    """A server over the shared small portal, with default knobs. Tests must not change its knobs."""
    with DemoPortalServer(small, token=TOKEN) as server:
        yield server


def tiny_portal() -> PortalData:
    """A hand-designed portal: 3 live deals + 1 archived, 2 companies, 3 calls (one without id)."""
    t0 = dt.datetime(2026, 1, 5, 10, 0)
    deals = [
        make_record(
            "101",
            {
                "dealname": "Alpha",
                "amount": 1000,
                "dealstage": "closedwon",
                "pipeline": "default",
                "hubspot_owner_id": "501",
                "closedate": dt.datetime(2026, 2, 1, 12),
            },
            created_at=t0,
            updated_at=dt.datetime(2026, 2, 1, 12),
            history={
                "dealstage": [
                    {"value": "closedwon", "timestamp": dt.datetime(2026, 2, 1, 12), "sourceType": "CRM_UI"},
                    {"value": "appointmentscheduled", "timestamp": t0, "sourceType": "CRM_UI"},
                ]
            },
            companies=[{"id": "9001", "primary": True}, {"id": "9002", "primary": False}],
        ),
        make_record(
            "102",
            {"dealname": "Beta", "amount": None, "dealstage": "qualifiedtobuy"},
            created_at=t0 + dt.timedelta(days=1),
            updated_at=dt.datetime(2026, 3, 1),
        ),
        make_record(
            "99",
            {"dealname": "Gamma", "amount": "250.5", "dealstage": "closedlost"},
            created_at=t0 - dt.timedelta(days=3),
            updated_at=dt.datetime(2026, 1, 20),
            companies=["9002"],
        ),
        make_record(
            "103",
            {"dealname": "Deleted", "amount": 5},
            created_at=t0,
            updated_at=t0,
            archived=True,
            archived_at=dt.datetime(2026, 4, 1),
        ),
    ]
    companies = [
        make_record("9001", {"name": "Acme", "domain": "acme.example"}, created_at=t0 - dt.timedelta(days=30)),
        make_record("9002", {"name": "Globex", "domain": "globex.example"}, created_at=t0 - dt.timedelta(days=20)),
    ]
    calls = [
        make_record("7001", {"hs_call_direction": "OUTBOUND", "hs_timestamp": t0}, created_at=t0),
        make_record(None, {"hs_call_direction": "INBOUND", "hs_timestamp": t0}, created_at=t0),
        make_record("7002", {"hs_call_direction": "OUTBOUND", "hs_timestamp": t0}, created_at=t0),
    ]
    calls[1]["properties"]["hs_object_id"] = None
    owners = [
        {
            "id": "501",
            "email": "ann@example.com",
            "type": "PERSON",
            "firstName": "Ann",
            "lastName": "Lee",
            "userId": 77,
            "createdAt": "2025-01-01T00:00:00.000Z",
            "updatedAt": "2025-01-01T00:00:00.000Z",
            "archived": False,
            "teams": [],
        },
        {
            "id": "502",
            "email": "bob@example.com",
            "type": "PERSON",
            "firstName": "Bob",
            "lastName": "Ray",
            "userId": 78,
            "createdAt": "2025-01-01T00:00:00.000Z",
            "updatedAt": "2025-06-01T00:00:00.000Z",
            "archived": True,
            "teams": [],
        },
    ]
    return PortalData(objects={"deals": deals, "companies": companies, "calls": calls}, owners=owners)


@pytest.fixture
def tiny() -> PortalData:
    return tiny_portal()


@pytest.fixture
def tiny_server(tiny: PortalData):
    with DemoPortalServer(tiny, token=TOKEN) as server:
        yield server


@dataclass
class Reply:
    status: int
    headers: Any
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)


def call(
    server: DemoPortalServer,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = TOKEN,
    raw_body: bytes | None = None,
) -> Reply:
    """One request with urllib; errors come back as replies, not exceptions."""
    data = raw_body if raw_body is not None else (None if body is None else json.dumps(body).encode())
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(server.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.headers, e.read())
