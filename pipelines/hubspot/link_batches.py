"""Company links of pages completed at about the same time, read in one v4 association request.

A page found by search carries no associations, so its company links are read apart. HubSpot takes
up to 1,000 ids in a v4 batch association read and a search page holds 200: read one by one, a
25,000-deal first sync spent ~90 of its ~440 app requests on links, enough to need a third window of
the ten-second budget. Here a page submits its ids before it reads its records' history, and the
first page whose ids have waited `linger` (or that finds 1,000 ids waiting) reads the links of every
page waiting, so the pages of one second of search share a request. No thread of its own: a waiting
page sends the request itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from pipelines.hubspot.client import CompanyLink


class _Ticket:
    """One page's ids, and its links once read (or the error of the read)."""

    def __init__(self, ids: list[str], deadline: float):
        self.ids, self.deadline = ids, deadline
        self.links: list[CompanyLink] | None = None
        self.error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.links is not None or self.error is not None


class LinkBatches:
    """Coalesces `read(ids)` calls of concurrent pages into requests of at most `max_ids` ids."""

    def __init__(self, read: Callable[[list[str]], list[CompanyLink]], max_ids: int = 1_000, linger: float = 0.5):
        self._read, self._max_ids, self._linger = read, max_ids, linger
        self._cond = threading.Condition()
        self._waiting: list[_Ticket] = []

    def submit(self, ids: list[str]) -> _Ticket:
        """Queue a page's ids; its links come from `links(ticket)`."""
        ticket = _Ticket(list(ids), time.monotonic() + self._linger)
        with self._cond:
            self._waiting.append(ticket)
            self._cond.notify_all()
        return ticket

    def links(self, ticket: _Ticket) -> list[CompanyLink]:
        """The ticket's links: read by whichever waiting page sends first, this one once its ids have
        waited `linger` or `max_ids` ids are waiting."""
        while True:
            with self._cond:
                while not ticket.done:
                    due = ticket.deadline - time.monotonic()
                    if ticket in self._waiting and (due <= 0 or self._waiting_ids() >= self._max_ids):
                        batch = self._take()
                        break
                    self._cond.wait(max(due, 0.05))
                else:
                    if ticket.error is not None:
                        raise ticket.error
                    return ticket.links  # type: ignore[return-value]
            self._send(batch)

    def _waiting_ids(self) -> int:
        return sum(len(t.ids) for t in self._waiting)

    def _take(self) -> list[_Ticket]:
        """The oldest waiting tickets, up to `max_ids` ids (at least one ticket)."""
        batch, size = [], 0
        while self._waiting and (not batch or size + len(self._waiting[0].ids) <= self._max_ids):
            ticket = self._waiting.pop(0)
            batch.append(ticket)
            size += len(ticket.ids)
        return batch

    def _send(self, batch: list[_Ticket]) -> None:
        try:
            links = self._read([i for t in batch for i in t.ids])
        except BaseException as exc:  # noqa: BLE001 - raised in every page of the batch
            with self._cond:
                for ticket in batch:
                    ticket.error = exc
                self._cond.notify_all()
            return
        by_record: dict[str, list[CompanyLink]] = {}
        for link in links:
            by_record.setdefault(link[0], []).append(link)
        with self._cond:
            for ticket in batch:
                ticket.links = [link for i in dict.fromkeys(ticket.ids) for link in by_record.get(i, [])]
            self._cond.notify_all()
