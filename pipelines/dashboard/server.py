"""`salesmetrics dashboard`: the page over http on a local port, read from disk on every request.

The page polls `/version` (only when served over http) and reloads itself when the build id
there differs from its own, so a page left open follows every `run`, `build` or scheduled
Dagster run with no manual reload.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from pipelines.dashboard.page import build_id_of

NO_STORE = {"Cache-Control": "no-store"}
WAITING_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>Sales dashboard</title></head><body style="font-family:sans-serif;padding:2em">
<p>No dashboard yet at {page}: run <code>salesmetrics build</code> (or <code>run</code>, <code>demo</code>).
This page looks again every 3 seconds.</p></body></html>"""


def dashboard_app(page: Path) -> Callable:
    """A WSGI app serving `page` at `/` and its build id at `/version`."""

    @Request.application
    def app(request: Request) -> Response:
        if request.path == "/version":
            return Response(json.dumps({"build_id": build_id_of(page)}), mimetype="application/json", headers=NO_STORE)
        if request.path in ("/", "/index.html"):
            try:
                body = page.read_bytes()  # the writer swaps the file atomically: always a whole page
            except FileNotFoundError:
                return Response(WAITING_PAGE.format(page=page), status=503, mimetype="text/html", headers=NO_STORE)
            return Response(body, mimetype="text/html", headers=NO_STORE)
        return Response("not found", status=404, mimetype="text/plain")

    return app


def dashboard_server(page: Path, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    """A threaded server bound to host:port (0 = a free port; read it back from `server_port`)."""
    return make_server(host, port, dashboard_app(Path(page).resolve()), threaded=True)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve_until_stopped(server: BaseWSGIServer) -> None:
    """Serve until Ctrl-C or SIGTERM, even when started as a background job (which ignores SIGINT)."""
    signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
    for signum in signals:
        signal.signal(signum, _raise_interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
