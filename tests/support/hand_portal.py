"""A tiny portal designed by hand, whose marts were computed on paper (see the test's docstring).

As of 2024-06-30, UTC. Three companies, two reps, nine deals:
  d1 c1 o1 won  2024-01-15, 12,000 USD for 12 months          -> ARR 12,000, Jan-Dec 2024
  d2 c2 o1 won  2024-02-10, 22,000 EUR = 24,000 USD, 24 months -> ARR 12,000, Feb 2024-Jan 2026
  d3 c3 o2 won  2024-01-20,  6,000 USD for 3 months            -> ARR 24,000, Jan-Mar 2024 (churns in April)
  d4 c1 o2 won  2024-04-05,  6,000 USD for 6 months from Apr 1 -> ARR 12,000, Apr-Sep 2024 (expansion)
  d5 c2 o1 lost 2024-02-20;  d6 c3 o2 lost 2024-04-10;  d7 c3 o1 open (created May)
  d8 c3 won 2024-05-05 for 100,000 but archived (deleted): excluded everywhere
  d9 c3 won with a negative amount: quarantined, never in the marts
"""

from __future__ import annotations

from pipelines.demo_portal import PortalData, make_record

STAGES = [
    ("appointmentscheduled", 0.2, False),
    ("qualifiedtobuy", 0.4, False),
    ("presentationscheduled", 0.6, False),
    ("decisionmakerboughtin", 0.8, False),
    ("contractsent", 0.9, False),
    ("closedwon", 1.0, True),
    ("closedlost", 0.0, True),
]

DEFAULT_PIPELINE = {
    "id": "default",
    "label": "Sales Pipeline",
    "displayOrder": 0,
    "archived": False,
    "createdAt": "2019-01-01T00:00:00Z",
    "updatedAt": "2024-01-10T00:00:00.000Z",
    "stages": [
        {
            "id": sid,
            "label": sid,
            "displayOrder": i,
            "archived": False,
            "metadata": {"isClosed": str(closed).lower(), "probability": str(p)},
            "createdAt": "2019-01-01T00:00:00Z",
            "updatedAt": "2019-01-01T00:00:00Z",
        }
        for i, (sid, p, closed) in enumerate(STAGES)
    ],
}


def owner(id_: str, user_id: int, first: str) -> dict:
    return {
        "id": id_,
        "email": f"{first.lower()}@example.com",
        "type": "PERSON",
        "firstName": first,
        "lastName": "Rep",
        "userId": user_id,
        "createdAt": "2020-01-01T00:00:00Z",
        "updatedAt": "2023-01-01T00:00:00Z",
        "archived": False,
        "teams": [{"id": "1", "name": "Sales", "primary": True}],
    }


def deal(
    id_,
    company,
    owner_id,
    stage,
    created,
    closed,
    amount,
    term=None,
    start=None,
    archived=False,
    currency="USD",
    home_amount=None,
):
    props = {
        "dealname": f"Deal {id_}",
        "pipeline": "default",
        "dealstage": stage,
        "amount": amount,
        "amount_in_home_currency": home_amount if home_amount is not None else amount,
        "deal_currency_code": currency,
        "createdate": created,
        "closedate": closed,
        "hubspot_owner_id": owner_id,
        "hs_is_closed": str(stage in ("closedwon", "closedlost")).lower(),
        "hs_is_closed_won": str(stage == "closedwon").lower(),
        "contract_term_months": term,
        "contract_start_date": start,
    }
    history = [{"value": stage, "timestamp": closed or created, "sourceType": "CRM_UI"}]
    if stage != "appointmentscheduled":
        history.append({"value": "appointmentscheduled", "timestamp": created, "sourceType": "CRM_UI"})
    return make_record(
        id_,
        props,
        created_at=created,
        updated_at="2024-06-01T00:00:00Z",
        archived=archived,
        history={"dealstage": history},
        companies=[company] if company else [],
    )


def company(id_: str, name: str) -> dict:
    return make_record(id_, {"name": name, "domain": f"{name.lower()}.example"}, created_at="2023-06-01T00:00:00Z")


def hand_portal() -> PortalData:
    return PortalData(
        objects={
            "companies": [company("1001", "Acme"), company("1002", "Globex"), company("1003", "Initech")],
            "deals": [
                deal(
                    "1",
                    "1001",
                    "11",
                    "closedwon",
                    "2023-12-01T12:00:00Z",
                    "2024-01-15T12:00:00Z",
                    12000,
                    12,
                    "2024-01-15",
                ),
                deal(
                    "2",
                    "1002",
                    "11",
                    "closedwon",
                    "2024-01-10T12:00:00Z",
                    "2024-02-10T12:00:00Z",
                    22000,
                    24,
                    "2024-02-10",
                    currency="EUR",
                    home_amount=24000,
                ),
                deal(
                    "3",
                    "1003",
                    "12",
                    "closedwon",
                    "2024-01-05T12:00:00Z",
                    "2024-01-20T12:00:00Z",
                    6000,
                    3,
                    "2024-01-20",
                ),
                deal(
                    "4",
                    "1001",
                    "12",
                    "closedwon",
                    "2024-03-01T12:00:00Z",
                    "2024-04-05T12:00:00Z",
                    6000,
                    6,
                    "2024-04-01",
                ),
                deal("5", "1002", "11", "closedlost", "2024-01-15T12:00:00Z", "2024-02-20T12:00:00Z", 5000),
                deal("6", "1003", "12", "closedlost", "2024-02-01T12:00:00Z", "2024-04-10T12:00:00Z", 8000),
                deal("7", "1003", "11", "qualifiedtobuy", "2024-05-01T12:00:00Z", None, 10000),
                deal(
                    "8",
                    "1003",
                    "11",
                    "closedwon",
                    "2024-04-01T12:00:00Z",
                    "2024-05-05T12:00:00Z",
                    100000,
                    12,
                    archived=True,
                ),
                deal("9", "1003", "12", "closedwon", "2024-04-01T12:00:00Z", "2024-05-06T12:00:00Z", -500, 12),
            ],
        },
        owners=[owner("11", 101, "Ann"), owner("12", 102, "Bob")],
        pipelines=[DEFAULT_PIPELINE],
    )
