"""A benchmark-scale demo portal that stays small in memory: records are made on demand.

`generate_lazy_portal(seed, deals=1_000_000, engagements=5_000_000)` keeps, per object type, only
the numpy columns the server filters and sorts on (`store.py`): ids, hs_lastmodifieddate and a state
byte, 17 bytes a record. Every other value is made when a page is served, from (seed, object, index)
(`streams.py`, `makers.py`), by the record builder the small portal uses, so the records have
`generate_portal`'s shape. The same `DemoPortalServer` serves it through `LazyView` (`view.py`).
"""

from pipelines.demo_portal.lazy.portal import LAZY_SIZES, LazyPortal, generate_lazy_portal, split_engagements

__all__ = ["LAZY_SIZES", "LazyPortal", "generate_lazy_portal", "split_engagements"]
