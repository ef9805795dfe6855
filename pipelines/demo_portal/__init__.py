"""The demo portal: a deterministic synthetic HubSpot portal behind a real HTTP server.

It is the built-in demo (`salesmetrics demo` needs no HubSpot account), the fake server of the
integration tests and the benchmark target. It speaks HubSpot's wire format to the real
`hubspot-api-client` (`HubSpot(access_token=..., host=server.url)`) and never imports the extractor.

    portal = generate_portal(seed=7, size="small", end_date=datetime.date(2026, 11, 26))
    with DemoPortalServer(portal, token="demo-token") as server:
        ...  # server.url, server.faults.add(FaultRule(status=429, count=2)), server.request_count

For benchmarks, `generate_lazy_portal(seed=7, size="xlarge")` (1M deals, 5M engagements) makes
records on demand and keeps only ~17 bytes a record; the same server serves it.
"""

from pipelines.demo_portal.cli import serve_forever
from pipelines.demo_portal.data import OBJECT_TYPES, STANDARD_DISPOSITIONS, PortalData, make_record
from pipelines.demo_portal.faults import FaultRule
from pipelines.demo_portal.generator import SIZES, generate_portal
from pipelines.demo_portal.lazy import LAZY_SIZES, LazyPortal, generate_lazy_portal
from pipelines.demo_portal.server import DemoPortalServer

__all__ = [
    "LAZY_SIZES",
    "OBJECT_TYPES",
    "SIZES",
    "STANDARD_DISPOSITIONS",
    "DemoPortalServer",
    "FaultRule",
    "LazyPortal",
    "PortalData",
    "generate_lazy_portal",
    "generate_portal",
    "make_record",
    "serve_forever",
]
