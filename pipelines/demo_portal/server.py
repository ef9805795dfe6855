"""The demo portal as a real HTTP server speaking HubSpot's wire format (werkzeug, one thread per request).

It is the built-in demo and the integration-test fake: clients reach it through the real
`hubspot-api-client` with `host=server.url`. Every request goes through the same steps, in the order
HubSpot's edge and API apply them: route, latency, injected fault, authentication, rate limit,
scope, then the read semantics of `wire.py`. Nothing here imports the extractor: a fake that shares
code with the client it tests proves nothing.
"""

from __future__ import annotations

import io
import json
import logging
import math
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from pipelines.demo_portal import errors, wire
from pipelines.demo_portal.data import STANDARD_DISPOSITIONS, PortalData, iso_ms
from pipelines.demo_portal.faults import FaultRule, FaultSet
from pipelines.demo_portal.ratelimit import RateLimiter

log = logging.getLogger(__name__)

JSON_TYPE = "application/json;charset=utf-8"

# The private-app scope each endpoint needs (403 MISSING_SCOPES names it).
OBJECT_SCOPES: dict[str, str] = {
    "deals": "crm.objects.deals.read",
    "companies": "crm.objects.companies.read",
    "calls": "crm.objects.calls.read",
    "emails": "sales-email-read",
    "meetings": "crm.objects.meetings.read",
    "notes": "crm.objects.notes.read",
    "tasks": "crm.objects.tasks.read",
    "goal_targets": "crm.objects.goals.read",
}
OWNERS_SCOPE = "crm.objects.owners.read"
PIPELINES_SCOPE = "crm.objects.deals.read"
DISPOSITIONS_SCOPE = "crm.objects.calls.read"

URL_MAP = Map(
    [
        Rule("/crm/v3/objects/<obj>", endpoint="objects.list", methods=["GET"]),
        Rule("/crm/v3/objects/<obj>/search", endpoint="objects.search", methods=["POST"]),
        Rule("/crm/v3/objects/<obj>/batch/read", endpoint="objects.batch_read", methods=["POST"]),
        Rule("/crm/v3/objects/<obj>/<oid>", endpoint="objects.get", methods=["GET"]),
        Rule("/crm/v3/owners/", endpoint="owners.list", methods=["GET"]),
        Rule("/crm/v3/owners/<oid>", endpoint="owners.get", methods=["GET"]),
        Rule("/crm/v3/pipelines/<obj>", endpoint="pipelines.list", methods=["GET"]),
        Rule("/crm/v3/pipelines/<obj>/<pid>", endpoint="pipelines.get", methods=["GET"]),
        Rule("/crm/v4/objects/<obj>/<oid>/associations/<to>", endpoint="associations.get", methods=["GET"]),
        Rule("/crm/v4/associations/<obj>/<to>/batch/read", endpoint="associations.batch_read", methods=["POST"]),
        Rule("/calling/v1/dispositions", endpoint="dispositions", methods=["GET"]),
    ],
    strict_slashes=False,
    merge_slashes=False,
)
_ADAPTER = URL_MAP.bind("demo-portal")
_API_ROOTS = ("/crm/v3/", "/crm/v4/", "/calling/v1/")


class _Dropped(ConnectionAbortedError):
    """Raised by the app to close the connection without answering (a "drop" fault)."""


_DROPPED = (ConnectionError, socket.timeout)
_MAX_KEEP_ALIVE_BODY = 16 * 1024 * 1024


class _Handler(WSGIRequestHandler):
    """werkzeug's handler, plus HTTP/1.1 keep-alive when the server asks for it.

    werkzeug 3.1 sends `Connection: close` on every response and, after each response, drains the
    socket in a way that would swallow the next request of a kept-alive connection; `run_wsgi`
    below replaces both for our app: it reads the request body exactly (Content-Length), answers
    with an exact Content-Length and leaves the connection open unless the client asked to close.
    Chunked or oversized request bodies fall back to werkzeug's own path (and close).
    """

    # Without this, small responses on a reused connection stall ~40 ms (Nagle + delayed ACK).
    disable_nagle_algorithm = True
    # Socket timeout: an idle kept-alive connection is closed after this long.
    timeout = 60

    def setup(self) -> None:
        super().setup()
        tracked = getattr(self.server, "demo_connections", None)
        if tracked is not None:
            with self.server.demo_connections_lock:
                tracked.add(self.connection)
                self.server.demo_connections_opened += 1

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            tracked = getattr(self.server, "demo_connections", None)
            if tracked is not None:
                with self.server.demo_connections_lock:
                    tracked.discard(self.connection)

    def run_wsgi(self) -> None:
        if not getattr(self.server, "demo_keep_alive", False):
            return super().run_wsgi()
        length_header = self.headers.get("Content-Length")
        try:
            length = int(length_header) if length_header else 0
        except ValueError:
            length = -1
        if (
            self.headers.get("Transfer-Encoding")
            or self.headers.get("Expect")
            or not (0 <= length <= _MAX_KEEP_ALIVE_BODY)
        ):
            return super().run_wsgi()  # sends Connection: close
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            self.close_connection = True  # the client went away mid-body
            return
        environ = self.make_environ()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["wsgi.input_terminated"] = True
        started: list[Any] = []
        chunks: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return chunks.append

        try:
            app_iter = self.server.app(environ, start_response)
            try:
                chunks.extend(app_iter)
            finally:
                close = getattr(app_iter, "close", None)
                if close is not None:
                    close()
        except _DROPPED as e:
            self.connection_dropped(e, environ)
            return
        except Exception:
            log.exception("demo portal failed on %s %s", self.command, self.path)
            self.close_connection = True
            started[:] = ["500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")]]
            chunks[:] = [b"Internal Server Error"]
        status, headers = started
        code, _, reason = str(status).partition(" ")
        data = b"".join(chunks)
        self.send_response(int(code), reason)
        for key, value in headers:
            if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # one line per request would flood test output

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error" and not message.startswith("Request timed out"):  # idle keep-alive
            log.error(message.rstrip(), *args)

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        self.close_connection = True


@dataclass(frozen=True)
class RequestLogEntry:
    method: str
    path: str
    query: str
    route: str
    object_type: str | None
    status: int
    finished: float = 0.0  # time.monotonic() when the answer was ready (request timelines)


class _Answer(Exception):
    """Short-circuits the pipeline with a finished response."""

    def __init__(self, response: Response):
        self.response = response


_LISTED_LAST = "listed-last"  # the cursor of the page of `listed_last` ids


def _now_iso() -> str:
    return iso_ms(int(time.time() * 1000))


class DemoPortalServer:
    """Serve a PortalData over HTTP on `host:port` (port 0 = a free port) in a daemon thread.

    Knobs: `token` (None accepts any bearer token), `denied_scopes` (endpoints needing them answer
    403), `rate_limit` (enforce `burst_limit` per rolling 10 s on non-search requests and
    `search_limit` per second on search), `latency_ms` (added to every request), `listed_last`
    (object -> ids its live listing gives after every other record: HubSpot does not promise id
    order). All may be changed while the server runs. `keep_alive` (fixed at start) keeps HTTP/1.1 connections open between
    requests; False restores werkzeug's `Connection: close` on every response. `portal` is a
    PortalData or a LazyPortal (anything `wire.indexes_for` can read). Use as a context manager or
    `start()`/`stop()`.
    """

    def __init__(
        self,
        portal: PortalData | Any,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = "demo-token",
        *,
        denied_scopes: Iterable[str] | None = None,
        rate_limit: bool = False,
        burst_limit: int = 100,
        search_limit: int = 5,
        latency_ms: float = 0,
        keep_alive: bool = True,
    ):
        self.portal = portal
        self.keep_alive = keep_alive
        self.host = host
        self._port = port
        self.token = token
        self.denied_scopes: set[str] = set(denied_scopes or ())
        self.limiter = RateLimiter(enforce=rate_limit, burst_limit=burst_limit, search_limit=search_limit)
        self.latency_ms = latency_ms
        self.listed_last: dict[str, set[str]] = {}
        self.faults = FaultSet()
        self.request_log: deque[RequestLogEntry] = deque(maxlen=100_000)
        self._indexes = wire.indexes_for(portal)
        self._stats_lock = threading.Lock()
        self._request_count = 0
        self._by_route: Counter[str] = Counter()
        self._by_object: Counter[tuple[str, str | None]] = Counter()
        self._server: Any = None
        self._bound_port: int | None = None
        self._connections_at_stop = 0
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> DemoPortalServer:
        if self._server is not None:
            return self
        self._server = make_server(self.host, self._port, self._wsgi, threaded=True, request_handler=_Handler)
        self._server.demo_keep_alive = self.keep_alive
        self._server.demo_connections = set()
        self._server.demo_connections_lock = threading.Lock()
        self._server.demo_connections_opened = 0
        self._bound_port = int(self._server.server_port)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="demo-portal", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        self._connections_at_stop = int(server.demo_connections_opened)
        # Kept-alive connections would otherwise keep being served by their threads after stop(),
        # and server_close() joins those threads: close the connections first.
        with server.demo_connections_lock:
            open_connections = list(server.demo_connections)
        for conn in open_connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoPortalServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (kept after stop(), so logs can still name it)."""
        if self._bound_port is None:
            raise RuntimeError("the server has not been started; call start() first")
        return self._bound_port

    @property
    def url(self) -> str:
        host = self.host
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    # ------------------------------------------------------------------ knobs and stats
    @property
    def rate_limit(self) -> bool:
        return self.limiter.enforce

    @rate_limit.setter
    def rate_limit(self, value: bool) -> None:
        self.limiter.enforce = bool(value)

    @property
    def request_count(self) -> int:
        with self._stats_lock:
            return self._request_count

    @property
    def connection_count(self) -> int:
        """TCP connections accepted since start (with keep-alive, fewer than requests)."""
        server = self._server
        if server is None:
            return self._connections_at_stop
        with server.demo_connections_lock:
            return int(server.demo_connections_opened)

    @property
    def requests_by_route(self) -> Counter[str]:
        """Requests per route name: objects.list, objects.get, objects.search, objects.batch_read,
        owners.list, owners.get, pipelines.list, pipelines.get, associations.get,
        associations.batch_read, dispositions, unknown (no such path), method_not_allowed."""
        with self._stats_lock:
            return Counter(self._by_route)

    @property
    def requests_by_object(self) -> Counter[tuple[str, str | None]]:
        """Requests per (route name, object type), e.g. `("objects.search", "deals")`."""
        with self._stats_lock:
            return Counter(self._by_object)

    def reset_stats(self) -> None:
        with self._stats_lock:
            self._request_count = 0
            self._by_route.clear()
            self._by_object.clear()
            self.request_log.clear()

    # ------------------------------------------------------------------ WSGI
    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self._respond(request)
        return response(environ, start_response)

    def _respond(self, request: Request) -> Response:
        path = request.path
        if not path.startswith(_API_ROOTS):  # serve under any host prefix
            cut = min((i for i in (path.find(r) for r in _API_ROOTS) if i > 0), default=-1)
            if cut > 0:
                path = path[cut:]
        route, args = "unknown", {}
        try:
            route, args = _ADAPTER.match(path, method=request.method)
        except MethodNotAllowed:
            route = "method_not_allowed"
        except NotFound:
            pass
        obj = args.get("obj")
        status = 500
        try:
            response = self._pipeline(request, path, route, args)
            status = response.status_code
            return response
        except _Dropped:
            status = 0
            raise
        finally:
            with self._stats_lock:
                self._request_count += 1
                self._by_route[route] += 1
                self._by_object[(route, obj)] += 1
                self.request_log.append(
                    RequestLogEntry(
                        request.method,
                        path,
                        request.query_string.decode("latin-1"),
                        route,
                        obj,
                        status,
                        time.monotonic(),
                    )
                )

    def _pipeline(self, request: Request, path: str, route: str, args: dict[str, Any]) -> Response:
        cid = errors.correlation_id()
        search = route == "objects.search"
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000.0)
        truncate = False
        rule = self.faults.take(request.method, path)
        if rule is not None:
            if rule.kind == "drop":
                raise _Dropped("fault: connection dropped")
            if rule.kind == "hook":
                assert rule.hook is not None
                try:
                    rule.hook()
                except Exception:  # a failing test hook must not look like a network error
                    log.exception("demo portal fault hook failed")
                    return self._json(500, errors.server_error(500, cid), cid, {})
            elif rule.kind == "truncate":
                truncate = True
            else:
                return self._fault_response(rule, route, args, cid, search)
        try:
            if route == "unknown":
                raise wire.WireError(404, f"Unable to route {request.method} request to {path}", "OBJECT_NOT_FOUND")
            if route == "method_not_allowed":
                raise wire.WireError(405, f"Method {request.method} is not allowed on {path}")
            self._authenticate(request, cid)
            policy, rl_headers = self.limiter.acquire(search)
            if policy is not None:
                return self._json(429, errors.rate_limited(policy, cid), cid, rl_headers)
            scope = self._scope(route, args)
            if scope is not None and scope in self.denied_scopes:
                return self._json(403, errors.missing_scopes(scope, cid), cid, rl_headers)
            with self.portal.lock:
                status, body = self._handle(request, route, args)
            response = self._json(status, body, cid, rl_headers)
        except _Answer as answer:
            return answer.response
        except wire.WireError as e:
            headers = {} if search else self.limiter.headers()
            response = self._json(e.status, errors.error_body(e.message, e.category, cid, **e.extra), cid, headers)
        except Exception:  # a bug in the fake must still look like HubSpot's 500, and be logged
            log.exception("demo portal failed on %s %s", request.method, path)
            response = self._json(500, errors.server_error(500, cid), cid, {})
        if truncate:
            data = response.get_data()
            response.set_data(data[: len(data) // 2])
        return response

    # ------------------------------------------------------------------ steps
    def _json(self, status: int, body: Any, cid: str, headers: dict[str, str]) -> Response:
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        response = Response(data, status=status, headers=headers)
        response.headers["Content-Type"] = JSON_TYPE
        response.headers["X-HubSpot-Correlation-Id"] = cid
        return response

    def _authenticate(self, request: Request, cid: str) -> None:
        header = request.headers.get("Authorization", "")
        scheme, _, supplied = header.partition(" ")
        ok = scheme.lower() == "bearer" and supplied.strip() != ""
        if ok and self.token is not None:
            ok = supplied.strip() == self.token
        if not ok:
            raise _Answer(self._json(401, errors.invalid_authentication(cid), cid, {}))

    def _scope(self, route: str, args: dict[str, Any]) -> str | None:
        if route.startswith("objects.") or route.startswith("associations."):
            return OBJECT_SCOPES.get(args.get("obj", ""))
        if route.startswith("owners."):
            return OWNERS_SCOPE
        if route.startswith("pipelines."):
            return PIPELINES_SCOPE
        if route == "dispositions":
            return DISPOSITIONS_SCOPE
        return None

    def _fault_response(self, rule: FaultRule, route: str, args: dict[str, Any], cid: str, search: bool) -> Response:
        headers: dict[str, str] = {}
        if rule.retry_after is not None:
            headers["Retry-After"] = str(int(math.ceil(rule.retry_after)))
        status = rule.status
        if rule.html:
            response = Response(errors.gateway_html(status), status=status, headers=headers)
            response.headers["Content-Type"] = "text/html"
            return response
        if not search:
            headers.update(self.limiter.headers())
        if status == 429:
            policy = rule.policy_name or ("SECONDLY" if search else "TEN_SECONDLY_ROLLING")
            if not search:
                headers["X-HubSpot-RateLimit-Remaining"] = "0"
            return self._json(429, errors.rate_limited(policy, cid), cid, headers)
        if status >= 500:
            return self._json(status, errors.server_error(status, cid), cid, headers)
        if status == 401:
            return self._json(401, errors.invalid_authentication(cid), cid, headers)
        if status == 403:
            scope = self._scope(route, args) or "crm.objects.deals.read"
            return self._json(403, errors.missing_scopes(scope, cid), cid, headers)
        categories = {400: "VALIDATION_ERROR", 404: "OBJECT_NOT_FOUND", 409: "CONFLICT", 414: "VALIDATION_ERROR"}
        body = errors.error_body(f"Injected fault: HTTP {status}", categories.get(status, "ERROR"), cid)
        return self._json(status, body, cid, headers)

    # ------------------------------------------------------------------ handlers
    def _handle(self, request: Request, route: str, args: dict[str, Any]) -> tuple[int, Any]:
        handler = getattr(self, "_h_" + route.replace(".", "_"))
        return handler(request, **args)

    def _view(self, obj: str) -> wire.View:
        if not self._indexes.has(obj):
            raise wire.WireError(404, f"Unable to infer object type from: {obj}", "OBJECT_NOT_FOUND")
        return self._indexes.view(obj)

    @staticmethod
    def _body(request: Request) -> Any:
        raw = request.get_data()
        if not raw.strip():
            raise wire.WireError(400, "Invalid input JSON: the request body is empty")
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as e:
            raise wire.WireError(400, f"Invalid input JSON on line {getattr(e, 'lineno', 1)}: {e}") from None

    @staticmethod
    def _link(request: Request) -> Any:
        """Absolute `paging.next.link`: this request's URL with `after` replaced."""
        base = request.host_url.rstrip("/") + request.path
        pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "after"]

        def link(cursor: str) -> str:
            return f"{base}?{urlencode(pairs + [('after', cursor)])}"

        return link

    def _h_objects_list(self, request: Request, obj: str) -> tuple[int, Any]:
        view = self._view(obj)
        a = request.args
        history = wire.split_list(a.getlist("propertiesWithHistory"))
        limit = wire.parse_limit(
            a.get("limit"),
            wire.LIST_DEFAULT,
            wire.LIST_HISTORY_MAX if history else wire.LIST_MAX,
            "when propertiesWithHistory is requested" if history else "per page",
        )
        archived = wire.parse_bool(a.get("archived"), "archived")
        shape = dict(
            properties=wire.split_list(a.getlist("properties")),
            history=history,
            associations=wire.split_list(a.getlist("associations")),
        )
        last = set() if archived else self.listed_last.get(obj, set())
        if last and a.get("after") == _LISTED_LAST:
            records = [r for r in view.lookup_many(sorted(last, key=int)) if r is not None and not r.get("archived")]
            return 200, {"results": [wire.project(r, obj, **shape) for r in records]}
        link = self._link(request)
        body = wire.list_page(
            view, obj, limit=limit + len(last), after=a.get("after") or None, archived=archived, link=link, **shape
        )
        if last:  # those ids leave their place in id order and come after every other record
            results = [r for r in body["results"] if r["id"] not in last]
            body["results"] = results[:limit]
            # the next page starts at the first record not given (a cursor is the next page's first id)
            after = results[limit]["id"] if len(results) > limit else _LISTED_LAST
            body["paging"] = {"next": {"after": after, "link": link(after)}}
        return 200, body

    def _h_objects_get(self, request: Request, obj: str, oid: str) -> tuple[int, Any]:
        view = self._view(obj)
        a = request.args
        if a.get("idProperty") not in (None, "", "hs_object_id"):
            raise wire.WireError(400, f"idProperty {a.get('idProperty')!r} is not a unique property of {obj}")
        archived = wire.parse_bool(a.get("archived"), "archived")
        record = view.lookup(oid)
        if record is None or bool(record.get("archived")) != archived:
            raise wire.WireError(404, "Resource not found", "OBJECT_NOT_FOUND")
        return 200, wire.project(
            record,
            obj,
            wire.split_list(a.getlist("properties")),
            wire.split_list(a.getlist("propertiesWithHistory")),
            wire.split_list(a.getlist("associations")),
        )

    def _h_objects_search(self, request: Request, obj: str) -> tuple[int, Any]:
        view = self._view(obj)
        return 200, wire.search_page(view, obj, self._body(request))

    def _h_objects_batch_read(self, request: Request, obj: str) -> tuple[int, Any]:
        view = self._view(obj)
        started = _now_iso()
        archived = wire.parse_bool(request.args.get("archived"), "archived")
        found, missing = wire.batch_read(view, obj, self._body(request), archived)
        body: dict[str, Any] = {"status": "COMPLETE", "results": found}
        if missing:
            body["numErrors"] = 1
            body["errors"] = [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {obj.upper().rstrip('S')} objects, they may be deleted or "
                    "not exist. Check that ids are valid.",
                    "context": {"ids": missing},
                }
            ]
        body["startedAt"] = started
        body["completedAt"] = _now_iso()
        return (207 if missing else 200), body

    def _h_owners_list(self, request: Request) -> tuple[int, Any]:
        a = request.args
        return 200, wire.owners_page(
            self.portal.owners,
            limit=wire.parse_limit(a.get("limit"), wire.OWNERS_DEFAULT, wire.OWNERS_MAX, "for owners"),
            after=a.get("after") or None,
            archived=wire.parse_bool(a.get("archived"), "archived"),
            email=a.get("email") or None,
            link=self._link(request),
        )

    def _h_owners_get(self, request: Request, oid: str) -> tuple[int, Any]:
        a = request.args
        archived = wire.parse_bool(a.get("archived"), "archived")
        field = {"": "id", "id": "id", "userId": "userId"}.get(a.get("idProperty", "") or "")
        if field is None:
            raise wire.WireError(400, f"idProperty must be id or userId, got {a.get('idProperty')!r}")
        for owner in self.portal.owners:
            if str(owner.get(field)) == oid and bool(owner.get("archived")) == archived:
                return 200, owner
        raise wire.WireError(404, "Resource not found", "OBJECT_NOT_FOUND")

    def _pipelines(self, obj: str) -> list[dict[str, Any]]:
        return self.portal.pipelines if obj == "deals" else []

    def _h_pipelines_list(self, request: Request, obj: str) -> tuple[int, Any]:
        return 200, {"results": self._pipelines(obj)}

    def _h_pipelines_get(self, request: Request, obj: str, pid: str) -> tuple[int, Any]:
        for pipeline in self._pipelines(obj):
            if str(pipeline.get("id")) == pid:
                return 200, pipeline
        raise wire.WireError(404, f"Pipeline {pid} not found", "OBJECT_NOT_FOUND")

    def _h_associations_get(self, request: Request, obj: str, oid: str, to: str) -> tuple[int, Any]:
        a = request.args
        limit = wire.parse_limit(a.get("limit"), wire.ASSOC_MAX, wire.ASSOC_MAX, "for associations")
        targets = wire.association_targets(self._indexes.view("deals"), obj, oid, to)
        return 200, wire.association_page(targets, limit, a.get("after") or None)

    def _h_associations_batch_read(self, request: Request, obj: str, to: str) -> tuple[int, Any]:
        started = _now_iso()
        body = self._body(request)
        if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
            raise wire.WireError(400, "The batch read body needs an 'inputs' list")
        inputs = body["inputs"]
        if len(inputs) > wire.ASSOC_BATCH_MAX:
            raise wire.WireError(400, f"At most {wire.ASSOC_BATCH_MAX} inputs per batch, got {len(inputs)}")
        unique: dict[str, dict[str, Any]] = {}
        for item in inputs:
            if not isinstance(item, dict) or item.get("id") in (None, ""):
                raise wire.WireError(400, f"Invalid batch input {item!r}: each input needs an 'id'")
            unique.setdefault(str(item["id"]), item)
        every = wire.association_targets_many(self._indexes.view("deals"), obj, list(unique), to)
        results = []
        for (rid, item), targets in zip(unique.items(), every, strict=True):
            if not targets:
                continue  # ids without associations are left out
            page = wire.association_page(targets, wire.ASSOC_MAX, item.get("after"))
            entry: dict[str, Any] = {"from": {"id": rid}, "to": page["results"]}
            if "paging" in page:
                entry["paging"] = page["paging"]
            results.append(entry)
        return 200, {"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": _now_iso()}

    def _h_dispositions(self, request: Request) -> tuple[int, Any]:
        standard = [dict(d) for d in STANDARD_DISPOSITIONS]
        known = {d["id"] for d in standard}
        return 200, standard + [dict(d) for d in self.portal.dispositions if d.get("id") not in known]
