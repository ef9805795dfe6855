"""The portal's limiter on a fake clock: it always counts, refuses only when enforcing, a refused
request costs nothing, and the ten-second window rolls."""

from pipelines.demo_portal.ratelimit import RateLimiter


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_counts_without_enforcing_and_refuses_when_enforcing():
    clock = Clock()
    limiter = RateLimiter(burst_limit=3, clock=clock)
    answers = [limiter.acquire(search=False) for _ in range(5)]
    assert [policy for policy, _ in answers] == [None] * 5  # not enforced: every request goes through
    assert [h["X-HubSpot-RateLimit-Remaining"] for _, h in answers] == ["2", "1", "0", "0", "0"]
    limiter.enforce = True
    assert limiter.acquire(search=False)[0] == "TEN_SECONDLY_ROLLING"
    clock.now += 10.5  # the window rolled past every request
    assert [limiter.acquire(search=False)[0] for _ in range(4)] == [None, None, None, "TEN_SECONDLY_ROLLING"]


def test_a_refused_request_costs_nothing_and_the_limit_can_change_on_a_running_portal():
    clock = Clock()
    limiter = RateLimiter(enforce=True, burst_limit=2, search_limit=1, clock=clock)
    assert [limiter.acquire(search=True)[0] for _ in range(3)] == [None, "SECONDLY", "SECONDLY"]
    clock.now += 1.01
    assert limiter.acquire(search=True)[0] is None  # the refused ones took no budget
    assert limiter.acquire(search=False)[1]["X-HubSpot-RateLimit-Remaining"] == "1"
    limiter.burst_limit = 1
    assert limiter.acquire(search=False)[0] == "TEN_SECONDLY_ROLLING"
    assert limiter.headers()["X-HubSpot-RateLimit-Max"] == "1"
