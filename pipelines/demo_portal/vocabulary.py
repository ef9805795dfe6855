"""What the demo portal's world is made of: its deal stages, outcomes and words.

Both generators (the small one in `generator.py`, the lazy one in `lazy/`) draw from these tables, so
a record looks the same whichever made it. Changing a table changes every generated portal.
"""

from __future__ import annotations

from pipelines.demo_portal.data import STANDARD_DISPOSITIONS

# --------------------------------------------------------------------------------------- pipelines
DEFAULT_STAGES: tuple[tuple[str, str, str, bool], ...] = (  # id, label, probability, closed
    ("appointmentscheduled", "Appointment Scheduled", "0.2", False),
    ("qualifiedtobuy", "Qualified To Buy", "0.4", False),
    ("presentationscheduled", "Presentation Scheduled", "0.6", False),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", False),
    ("contractsent", "Contract Sent", "0.9", False),
    ("closedwon", "Closed Won", "1.0", True),
    ("closedlost", "Closed Lost", "0.0", True),
)
RENEWAL_PIPELINE_ID = "75817263"
RENEWAL_STAGES: tuple[tuple[str, str, str, bool], ...] = (
    ("161432001", "Renewal Due", "0.3", False),
    ("161432002", "In Negotiation", "0.6", False),
    ("161432003", "Verbal Commit", "0.9", False),
    ("161432004", "Renewed", "1.0", True),
    ("161432005", "Churned", "0.0", True),
)
ORPHAN_STAGE = "98127364"  # a stage deleted from its pipeline: in no pipeline any more
STAGE_META: dict[str, tuple[str, bool]] = {s[0]: (s[2], s[3]) for s in DEFAULT_STAGES + RENEWAL_STAGES}

# --------------------------------------------------------------------------------------- calls
CUSTOM_DISPOSITION = {"id": "4c8a9f7e-2b31-4d6a-9e0f-3a5b7c9d1e2f", "label": "Meeting booked"}
DISPOSITION_IDS = {d["label"]: d["id"] for d in STANDARD_DISPOSITIONS}
CALL_OUTCOMES = (  # disposition label or None, cumulative share, status, duration range (s)
    ("No answer", 0.30, "NO_ANSWER", (0, 30)),
    ("Left voicemail", 0.54, "COMPLETED", (20, 60)),
    ("Connected", 0.79, "COMPLETED", (60, 1500)),
    ("Busy", 0.84, "BUSY", (0, 8)),
    ("Left live message", 0.89, "COMPLETED", (30, 120)),
    ("Wrong number", 0.92, "COMPLETED", (10, 45)),
    ("custom", 0.95, "COMPLETED", (120, 900)),
    (None, 0.98, "COMPLETED", (5, 600)),  # logged without an outcome
    (None, 1.00, "FAILED", (0, 0)),
)

# --------------------------------------------------------------------------------------- words
FIRST_NAMES = (
    "Avery",
    "Jordan",
    "Priya",
    "Mateo",
    "Hannah",
    "Kenji",
    "Fatima",
    "Lucas",
    "Chloe",
    "Omar",
    "Sofia",
    "Daniel",
    "Aisha",
    "Noah",
    "Elena",
    "Ravi",
    "Grace",
    "Tomasz",
    "Leila",
    "Marcus",
    "Ingrid",
    "Diego",
    "Mei",
    "Samuel",
    "Zoe",
    "Björn",
    "Amara",
    "Felix",
    "Nadia",
    "Oliver",
    "Yuki",
    "Carmen",
    "Ethan",
    "Sara",
    "Kwame",
    "Julia",
    "Arjun",
    "Rosa",
    "Henrik",
    "Lina",
)
LAST_NAMES = (
    "Nguyen",
    "Okafor",
    "Schmidt",
    "Patel",
    "García",
    "Kowalski",
    "Johansson",
    "Murphy",
    "Tanaka",
    "Rossi",
    "Haddad",
    "Williams",
    "Dubois",
    "Chen",
    "Novak",
    "Silva",
    "Andersen",
    "Kaur",
    "Brown",
    "Ivanova",
    "Moreau",
    "Baker",
    "Lindqvist",
    "Osei",
    "Fischer",
    "Romero",
    "Park",
    "Walsh",
    "Costa",
    "Meyer",
)
COMPANY_A = (
    "Blue",
    "North",
    "Bright",
    "Iron",
    "Silver",
    "Cedar",
    "Summit",
    "Harbor",
    "Atlas",
    "Nova",
    "Pioneer",
    "Granite",
    "Evergreen",
    "Crescent",
    "Falcon",
    "Orbit",
    "Vertex",
    "Willow",
    "Beacon",
    "Copper",
    "Lumen",
    "Quantum",
    "Redwood",
    "Sterling",
    "Tidal",
    "Union",
    "Velvet",
    "Wander",
    "Zenith",
    "Arc",
    "Bay",
    "Cobalt",
)
COMPANY_B = (
    "Analytics",
    "Logistics",
    "Labs",
    "Systems",
    "Foods",
    "Health",
    "Robotics",
    "Software",
    "Capital",
    "Energy",
    "Retail",
    "Media",
    "Freight",
    "Dynamics",
    "Networks",
    "Works",
    "Clinics",
    "Learning",
    "Metals",
    "Partners",
    "Pharma",
    "Studios",
    "Textiles",
    "Ventures",
    "Brewing",
    "Insurance",
    "Motors",
    "Security",
)
COMPANY_SUFFIX = ("Inc.", "LLC", "GmbH", "Ltd", "", "", "Co.", "Group", "AG", "S.A.")
TLDS = ("com", "com", "com", "io", "de", "co.uk", "net", "fr")
INDUSTRIES = (
    "COMPUTER_SOFTWARE",
    "FINANCIAL_SERVICES",
    "HOSPITAL_HEALTH_CARE",
    "RETAIL",
    "LOGISTICS_AND_SUPPLY_CHAIN",
    "MARKETING_AND_ADVERTISING",
    "EDUCATION_MANAGEMENT",
    "CONSTRUCTION",
    "REAL_ESTATE",
    "FOOD_BEVERAGES",
    "INSURANCE",
    "AUTOMOTIVE",
    "TELECOMMUNICATIONS",
    "MANUFACTURING",
)
PRODUCTS = ("Platform", "Analytics Suite", "Starter Bundle", "Enterprise Plan", "Team Edition", "Add-on Pack")
CALL_TITLES = ("Discovery call", "Follow-up", "Demo recap", "Pricing discussion", "Check-in", "Cold call")
MEETING_TITLES = ("Discovery meeting", "Product demo", "Technical deep dive", "Negotiation", "QBR", "Kickoff")
EMAIL_SUBJECTS = (
    "Quick question",
    "Following up",
    "Proposal attached",
    "Re: pricing",
    "Next steps",
    "Intro",
    "Re: contract",
    "Meeting notes",
    "Your trial",
)
NOTE_BODIES = (
    "Spoke with the champion; budget confirmed for Q{q}.",
    "Decision maker wants a security review first.",
    "Competitor in the deal; they are cheaper on seats.",
    "Customer asked for a multi-year quote.",
    "Left a voicemail, will try again Thursday.",
)
TASK_SUBJECTS = ("Send proposal", "Call back", "Prepare demo", "Update CRM", "Follow up on contract", "Book QBR")

SEGMENTS = (  # name, share, annual contract value range (USD), cycle-length factor
    ("smb", 0.55, (4_000, 24_000), 0.7),
    ("mid", 0.33, (20_000, 80_000), 1.0),
    ("ent", 0.12, (70_000, 300_000), 1.7),
)
