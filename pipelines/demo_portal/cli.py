"""Run the demo portal as a standalone server until Ctrl-C (`salesmetrics serve-demo-portal`)."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading
from typing import Any

from pipelines.demo_portal.generator import SIZES, generate_portal
from pipelines.demo_portal.lazy import LAZY_SIZES, generate_lazy_portal
from pipelines.demo_portal.server import DemoPortalServer


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _stop_on_signals() -> None:
    """Stop on SIGINT and SIGTERM even when the parent ignored or blocked them (background jobs of a
    non-interactive shell start with SIGINT ignored, and a blocked mask survives exec)."""
    signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
    for signum in signals:
        signal.signal(signum, _raise_interrupt)


def serve_forever(
    port: int,
    seed: int,
    size: str,
    host: str = "127.0.0.1",
    token: str | None = None,
    end_date: dt.date | None = None,
) -> None:
    """Generate the portal, serve it on host:port (0 = any free port), print the URL, block until Ctrl-C.

    `token` None accepts any bearer token; `end_date` None means today (UTC). A size of
    LAZY_SIZES (bench-10k, bench-100k, xlarge) serves a lazy portal (records made on demand).
    """
    if size in LAZY_SIZES:
        portal: Any = generate_lazy_portal(seed=seed, size=size, end_date=end_date)
    else:
        portal = generate_portal(seed=seed, size=size, end_date=end_date)
    server = DemoPortalServer(portal, host=host, port=port, token=token)
    _stop_on_signals()
    # Ctrl-C may arrive at any moment once the URL is out, so everything after start() is covered.
    try:
        server.start()
        counts = ", ".join(f"{n} {k}" for k, n in portal.counts().items())
        print(server.url, flush=True)
        print(f"demo portal (seed {seed}, size {size}): {counts}", file=sys.stderr, flush=True)
        print("Press Ctrl-C to stop.", file=sys.stderr, flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipelines.demo_portal", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="TCP port (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", choices=sorted(SIZES) + sorted(LAZY_SIZES), default="small")
    parser.add_argument("--token", default=None, help="require this bearer token (default: accept any)")
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
    args = parser.parse_args(argv)
    serve_forever(args.port, args.seed, args.size, host=args.host, token=args.token, end_date=args.end_date)
