"""HTTP/1.1 keep-alive: one pooled connection serves many requests, bodies and errors included."""

from __future__ import annotations

import json

import pytest
import urllib3

from pipelines.demo_portal import DemoPortalServer

from .conftest import TOKEN

HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


def pooled(server: DemoPortalServer) -> urllib3.HTTPConnectionPool:
    """One connection at most, no retries: a closed connection shows."""
    return urllib3.HTTPConnectionPool("127.0.0.1", server.port, maxsize=1, block=True, retries=False)


def test_one_connection_serves_gets_posts_and_errors(tiny_server):
    pool = pooled(tiny_server)
    search = json.dumps({"limit": 2}).encode()
    replies = [
        pool.request("GET", "/crm/v3/objects/deals?limit=1", headers=HEADERS),
        pool.request("POST", "/crm/v3/objects/deals/search", body=search, headers=HEADERS),
        # Refused before the body is read: the body must still be consumed, not taken for the next request.
        pool.request("POST", "/crm/v3/objects/deals/search", body=search, headers={**HEADERS, "Authorization": "x"}),
        pool.request("POST", "/crm/v3/objects/deals/batch/read", body=b'{"inputs": [{"id": "101"}]}', headers=HEADERS),
        pool.request("POST", "/crm/v3/objects/deals/search", body=b"{not json", headers=HEADERS),
        pool.request("GET", "/no/such/path", headers=HEADERS),
        pool.request("GET", "/crm/v3/objects/deals/101", headers=HEADERS),
    ]
    assert [r.status for r in replies] == [200, 200, 401, 200, 400, 404, 200]
    assert all("Connection" not in r.headers for r in replies)
    assert all(int(r.headers["Content-Length"]) == len(r.data) for r in replies)
    assert json.loads(replies[-1].data)["id"] == "101"
    assert tiny_server.request_count == len(replies) and tiny_server.connection_count == 1


def test_keep_alive_off_closes_after_every_response(tiny):
    with DemoPortalServer(tiny, token=TOKEN, keep_alive=False) as server:
        pool = pooled(server)
        replies = [pool.request("GET", "/crm/v3/objects/deals", headers=HEADERS) for _ in range(3)]
        assert [r.status for r in replies] == [200, 200, 200]
        assert all(r.headers["Connection"] == "close" for r in replies)
        assert server.connection_count == 3


def test_a_client_asking_to_close_gets_closed(tiny_server):
    pool = pooled(tiny_server)
    for _ in range(2):
        reply = pool.request("GET", "/crm/v3/objects/deals", headers={**HEADERS, "Connection": "close"})
        assert reply.status == 200 and reply.headers["Connection"] == "close"
    assert tiny_server.connection_count == 2


def test_stop_closes_kept_alive_connections(tiny):
    server = DemoPortalServer(tiny, token=TOKEN).start()
    pool = pooled(server)
    assert pool.request("GET", "/crm/v3/objects/deals", headers=HEADERS).status == 200
    server.stop()
    # Without closing them, the idle connection's thread would go on answering a stopped server.
    with pytest.raises(urllib3.exceptions.HTTPError):
        pool.request("GET", "/crm/v3/objects/deals", headers=HEADERS)


def test_truncate_and_drop_faults_on_a_kept_alive_connection(tiny_server):
    from pipelines.demo_portal import FaultRule

    pool = pooled(tiny_server)
    tiny_server.faults.add(FaultRule(kind="truncate", count=1))
    cut = pool.request("GET", "/crm/v3/objects/deals?limit=100", headers=HEADERS)
    assert cut.status == 200 and len(cut.data) == int(cut.headers["Content-Length"])
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.data)
    tiny_server.faults.add(FaultRule(kind="drop", count=1))
    with pytest.raises(urllib3.exceptions.HTTPError):
        pool.request("GET", "/crm/v3/objects/deals", headers=HEADERS)
    assert pool.request("GET", "/crm/v3/objects/deals", headers=HEADERS).status == 200
