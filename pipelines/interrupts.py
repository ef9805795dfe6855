"""Ctrl-C (SIGINT) and SIGTERM end a command with exit 130 and one line saying what was committed.

Both signals raise `KeyboardInterrupt` in the main thread, so every library unwinds the way it does
for Ctrl-C (DuckDB rolls back the open transaction, dbt cancels its queries), and set `STOP`, which
the sync's worker threads check between pages. The command records, as it goes, what an interrupt
at that moment leaves behind; `summary()` is that sentence.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

STOP = threading.Event()
_left_behind = ["nothing was written"]


def install() -> None:
    """Route SIGINT and SIGTERM to `KeyboardInterrupt` (call from the main thread)."""

    def interrupt(signum: int, frame: Any) -> None:
        STOP.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


def stop_if_requested() -> None:
    """Raise `KeyboardInterrupt` in a worker thread once an interrupt arrived."""
    if STOP.is_set():
        raise KeyboardInterrupt


def left_behind(text: str) -> None:
    """What an interrupt from now on leaves behind (a clause: '... committed; ...')."""
    _left_behind[0] = text


def summary() -> str:
    return f"interrupted: {_left_behind[0]}. The next run resumes from there."
