"""Fault injection: rules that make the next matching requests fail the ways HubSpot (or its edge) fails.

A rule matches by path prefix (and optionally method), may let `skip` matching requests through
first, then fires `count` times (None = until removed). Kinds:
  - "status":   answer `status` (429 with HubSpot's rate-limit body and optional Retry-After; 5xx as
                JSON, or as an edge HTML page with `html=True`; any other status as a JSON error);
  - "truncate": answer 200 with the real JSON body cut in half (the client library raises nothing);
  - "drop":     close the connection without answering;
  - "hook":     call `hook()` (e.g. change a record mid-sync), then answer normally.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

KINDS = ("status", "truncate", "drop", "hook")


@dataclass
class FaultRule:
    status: int = 500
    count: int | None = 1
    path_prefix: str = ""
    retry_after: float | None = None
    html: bool = False
    kind: str = "status"
    method: str | None = None
    skip: int = 0
    policy_name: str | None = None  # for 429s; default SECONDLY on search paths, else TEN_SECONDLY_ROLLING
    hook: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {KINDS}")
        if self.kind == "hook" and self.hook is None:
            raise ValueError("a 'hook' fault needs hook=callable")

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return path.startswith(self.path_prefix)


class FaultSet:
    """The server's active rules; thread-safe. The first matching rule with fires left wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[list] = []  # [rule, skipped_so_far, fired_so_far]
        self.fired = 0

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self._entries.append([rule, 0, 0])
        return rule

    def remove(self, rule: FaultRule) -> None:
        with self._lock:
            self._entries = [e for e in self._entries if e[0] is not rule]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def pending(self) -> int:
        """Fires left over all rules with a finite count."""
        with self._lock:
            return sum(e[0].count - e[2] for e in self._entries if e[0].count is not None)

    def take(self, method: str, path: str) -> FaultRule | None:
        """The rule that fires for this request, if any (consumes one fire)."""
        with self._lock:
            for entry in self._entries:
                rule = entry[0]
                if not rule.matches(method, path):
                    continue
                if rule.count is not None and entry[2] >= rule.count:
                    continue
                if entry[1] < rule.skip:
                    entry[1] += 1
                    continue
                entry[2] += 1
                self.fired += 1
                return rule
            return None
