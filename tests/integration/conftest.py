from __future__ import annotations

import datetime as dt

import pytest

from pipelines.demo_portal import generate_portal

END = dt.date(2026, 10, 31)


@pytest.fixture(scope="session")
def small_portal_template():
    return generate_portal(seed=7, size="small", end_date=END)


@pytest.fixture
def small_portal(small_portal_template):
    """A fresh copy per test: tests mutate their portal."""
    import copy

    return copy.deepcopy(small_portal_template)
