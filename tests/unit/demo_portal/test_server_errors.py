"""Failures the way HubSpot and its edge produce them: auth, scopes, bad requests, faults, rate limits."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error

import pytest
import urllib3
from hubspot import HubSpot
from hubspot.crm.deals.exceptions import ApiException, ServiceException, UnauthorizedException
from urllib3.util.retry import Retry

from pipelines.demo_portal import DemoPortalServer, FaultRule

from .conftest import TOKEN, call


def assert_error(reply, status, category):
    assert reply.status == status
    assert reply.headers["Content-Type"] == "application/json;charset=utf-8"
    body = reply.json
    assert body["status"] == "error" and body["category"] == category and body["message"]
    assert body["correlationId"] == reply.headers["X-HubSpot-Correlation-Id"]
    return body


def test_missing_or_wrong_token_is_401(tiny_server):
    assert_error(call(tiny_server, "GET", "/crm/v3/objects/deals", token=None), 401, "INVALID_AUTHENTICATION")
    assert_error(call(tiny_server, "GET", "/crm/v3/objects/deals", token="nope"), 401, "INVALID_AUTHENTICATION")
    with pytest.raises(UnauthorizedException):
        HubSpot(access_token="nope", host=tiny_server.url).crm.deals.basic_api.get_page()


def test_token_none_accepts_any_bearer_but_not_none(tiny):
    with DemoPortalServer(tiny, token=None) as server:
        assert call(server, "GET", "/crm/v3/objects/deals", token="anything").status == 200
        assert call(server, "GET", "/crm/v3/objects/deals", token=None).status == 401


def test_denied_scope_is_403_with_the_required_scope(tiny):
    with DemoPortalServer(tiny, denied_scopes={"sales-email-read", "crm.objects.owners.read"}) as server:
        body = assert_error(call(server, "GET", "/crm/v3/objects/emails"), 403, "MISSING_SCOPES")
        assert body["errors"][0]["context"]["requiredGranularScopes"] == ["sales-email-read"]
        owners = assert_error(call(server, "GET", "/crm/v3/owners/"), 403, "MISSING_SCOPES")
        assert owners["errors"][0]["context"]["requiredGranularScopes"] == ["crm.objects.owners.read"]
        assert call(server, "POST", "/crm/v3/objects/emails/search", {}).status == 403
        assert call(server, "GET", "/crm/v3/objects/deals").status == 200


def test_unknown_paths_methods_and_object_types(tiny_server):
    assert_error(call(tiny_server, "GET", "/crm/v3/nothing/here"), 404, "OBJECT_NOT_FOUND")
    assert_error(call(tiny_server, "GET", "/crm/v3/objects/unicorns"), 404, "OBJECT_NOT_FOUND")
    assert call(tiny_server, "DELETE", "/crm/v3/objects/deals").status == 405


def test_malformed_and_empty_bodies_are_400(tiny_server):
    assert_error(
        call(tiny_server, "POST", "/crm/v3/objects/deals/search", raw_body=b"{not json"), 400, "VALIDATION_ERROR"
    )
    assert_error(call(tiny_server, "POST", "/crm/v3/objects/deals/search", raw_body=b""), 400, "VALIDATION_ERROR")
    assert_error(call(tiny_server, "POST", "/crm/v3/objects/deals/search", raw_body=b"[1, 2]"), 400, "VALIDATION_ERROR")


def test_served_under_a_host_prefix(tiny_server):
    assert call(tiny_server, "GET", "/some/proxy/prefix/crm/v3/objects/deals").status == 200


def test_429_fault_with_retry_after(tiny_server):
    tiny_server.faults.add(FaultRule(status=429, count=2, path_prefix="/crm/v3/objects/deals", retry_after=1))
    for _ in range(2):
        reply = call(tiny_server, "GET", "/crm/v3/objects/deals")
        assert reply.status == 429 and reply.headers["Retry-After"] == "1"
        body = reply.json
        assert body["errorType"] == "RATE_LIMIT" and body["policyName"] == "TEN_SECONDLY_ROLLING"
        assert body["correlationId"] and body["message"].startswith("You have reached your")
    assert call(tiny_server, "GET", "/crm/v3/objects/companies").status == 200  # other path unaffected
    assert call(tiny_server, "GET", "/crm/v3/objects/deals").status == 200  # count exhausted
    assert tiny_server.faults.pending() == 0 and tiny_server.faults.fired == 2


def test_429_fault_without_retry_after_and_on_search(tiny_server):
    tiny_server.faults.add(FaultRule(status=429, count=1, path_prefix="/crm/v3/objects/deals/search"))
    reply = call(tiny_server, "POST", "/crm/v3/objects/deals/search", {})
    assert reply.status == 429 and "Retry-After" not in reply.headers
    assert reply.json["policyName"] == "SECONDLY"
    assert not [h for h in reply.headers if h.lower().startswith("x-hubspot-ratelimit")]


def test_client_with_retry_gets_through_a_429_storm(tiny_server):
    tiny_server.faults.add(FaultRule(status=429, count=2, retry_after=0))
    retry = Retry(total=3, backoff_factor=0, status_forcelist=(429,), allowed_methods=None)
    page = HubSpot(access_token=TOKEN, host=tiny_server.url, retry=retry).crm.deals.basic_api.get_page()
    assert len(page.results) == 3
    assert tiny_server.request_count == 3


def test_5xx_json_and_html_gateway_page(tiny_server):
    tiny_server.faults.add(FaultRule(status=500, count=1))
    assert_error(call(tiny_server, "GET", "/crm/v3/objects/deals"), 500, "INTERNAL_ERROR")
    tiny_server.faults.add(FaultRule(status=502, count=1, html=True))
    reply = call(tiny_server, "GET", "/crm/v3/objects/deals")
    assert reply.status == 502 and reply.headers["Content-Type"].startswith("text/html")
    assert reply.raw.startswith(b"<html>") and b"502 Bad Gateway" in reply.raw
    tiny_server.faults.add(FaultRule(status=503, count=1))
    with pytest.raises(ServiceException) as e:
        HubSpot(access_token=TOKEN, host=tiny_server.url).crm.deals.basic_api.get_page()
    assert e.value.status == 503


def test_truncated_body_parses_as_nothing_in_the_client(tiny_server):
    tiny_server.faults.add(FaultRule(kind="truncate", count=2, path_prefix="/crm/v3/objects/deals"))
    reply = call(tiny_server, "GET", "/crm/v3/objects/deals?limit=100")
    assert reply.status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(reply.raw)
    # The trap in hubspot-api.md: the client raises nothing and returns an empty-looking page.
    page = HubSpot(access_token=TOKEN, host=tiny_server.url).crm.deals.basic_api.get_page(limit=100)
    assert page.results is None and page.paging is None


def test_dropped_connection(tiny_server):
    tiny_server.faults.add(FaultRule(kind="drop", count=1, method="POST"))
    assert call(tiny_server, "GET", "/crm/v3/objects/deals").status == 200  # GET does not match
    with pytest.raises((urllib.error.URLError, http.client.RemoteDisconnected, ConnectionError)):
        call(tiny_server, "POST", "/crm/v3/objects/deals/search", {})
    assert call(tiny_server, "POST", "/crm/v3/objects/deals/search", {}).status == 200
    # A POST through the client is not retried by urllib3: the drop surfaces as ProtocolError.
    tiny_server.faults.add(FaultRule(kind="drop", count=1))
    api = HubSpot(access_token=TOKEN, host=tiny_server.url).crm.deals.search_api
    with pytest.raises(urllib3.exceptions.ProtocolError):
        api.do_search(public_object_search_request={"limit": 1})


def test_skip_then_fire_and_hooks(tiny, tiny_server):
    tiny_server.faults.add(FaultRule(status=500, count=1, skip=2, path_prefix="/crm/v3/objects/calls"))
    statuses = [call(tiny_server, "GET", "/crm/v3/objects/calls").status for _ in range(4)]
    assert statuses == [200, 200, 500, 200]
    tiny_server.faults.add(
        FaultRule(
            kind="hook",
            count=1,
            hook=lambda: tiny.update("deals", "102", {"dealname": "Changed mid-sync"}, "2026-11-01T00:00:00Z"),
        )
    )
    reply = call(tiny_server, "GET", "/crm/v3/objects/deals/102?properties=dealname")
    assert reply.json["properties"]["dealname"] == "Changed mid-sync"


def test_rate_limit_enforcement_ten_secondly(tiny):
    with DemoPortalServer(tiny, rate_limit=True, burst_limit=5) as server:
        replies = [call(server, "GET", "/crm/v3/objects/deals") for _ in range(6)]
        assert [r.status for r in replies] == [200] * 5 + [429]
        assert [r.headers["X-HubSpot-RateLimit-Remaining"] for r in replies[:5]] == ["4", "3", "2", "1", "0"]
        body = replies[5].json
        assert body["policyName"] == "TEN_SECONDLY_ROLLING" and body["errorType"] == "RATE_LIMIT"
        assert call(server, "POST", "/crm/v3/objects/deals/search", {}).status == 200  # search has its own budget
        with pytest.raises(ApiException) as e:
            HubSpot(access_token=TOKEN, host=server.url).crm.deals.basic_api.get_page()
        assert e.value.status == 429


def test_rate_limit_enforcement_search_secondly(tiny):
    with DemoPortalServer(tiny, rate_limit=True, search_limit=2) as server:
        started = time.monotonic()
        statuses = [call(server, "POST", "/crm/v3/objects/deals/search", {}).status for _ in range(3)]
        if time.monotonic() - started < 1.0:  # the budget is per second; on a very slow machine skip the check
            assert statuses == [200, 200, 429]
            assert call(server, "GET", "/crm/v3/objects/deals").status == 200
        time.sleep(1.05)
        assert call(server, "POST", "/crm/v3/objects/deals/search", {}).status == 200


def test_limits_are_not_enforced_by_default(tiny_server):
    assert all(call(tiny_server, "GET", "/crm/v3/objects/deals").status == 200 for _ in range(110))


def test_latency_knob(tiny):
    with DemoPortalServer(tiny, latency_ms=60) as server:
        started = time.perf_counter()
        call(server, "GET", "/crm/v3/objects/deals")
        assert time.perf_counter() - started >= 0.06


def test_request_counters(tiny_server):
    call(tiny_server, "GET", "/crm/v3/objects/deals")
    call(tiny_server, "GET", "/crm/v3/objects/deals/101")
    call(tiny_server, "POST", "/crm/v3/objects/calls/search", {})
    call(tiny_server, "GET", "/crm/v3/owners/", token=None)
    call(tiny_server, "GET", "/nowhere")
    assert tiny_server.request_count == 5
    assert tiny_server.requests_by_route == {
        "objects.list": 1,
        "objects.get": 1,
        "objects.search": 1,
        "owners.list": 1,
        "unknown": 1,
    }
    assert tiny_server.requests_by_object[("objects.search", "calls")] == 1
    assert [e.status for e in tiny_server.request_log] == [200, 200, 200, 401, 404]
    tiny_server.reset_stats()
    assert tiny_server.request_count == 0


def test_start_stop_and_url(tiny):
    server = DemoPortalServer(tiny, port=0).start()
    try:
        assert server.url.startswith("http://127.0.0.1:") and not server.url.endswith("/")
        assert server.port > 0
    finally:
        server.stop()
    server.stop()  # idempotent
    with pytest.raises(OSError):
        call(server, "GET", "/crm/v3/objects/deals")
