"""Search-found pages completed at about the same time share one association read, and each page gets
exactly its own records' links (or the read's error)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipelines.hubspot.link_batches import LinkBatches


class Reads:
    """A stand-in for the v4 read: two links per id, and every request it was sent."""

    def __init__(self, fail: bool = False):
        self.sent: list[list[str]] = []
        self.fail = fail
        self._lock = threading.Lock()

    def __call__(self, ids: list[str]) -> list[tuple[str, str, bool]]:
        with self._lock:
            self.sent.append(list(ids))
        if self.fail:
            raise RuntimeError("association read failed")
        return [(i, f"c{i}", True) for i in ids] + [(i, f"d{i}", False) for i in ids]


def pages(n: int, size: int) -> list[list[str]]:
    return [[str(p * size + k) for k in range(size)] for p in range(n)]


def complete_together(batches: LinkBatches, ids_per_page: list[list[str]]) -> list[list[tuple[str, str, bool]]]:
    """Every page submits, then waits for its links, on threads of its own (as the read's workers)."""
    tickets = [batches.submit(ids) for ids in ids_per_page]
    with ThreadPoolExecutor(len(tickets)) as pool:
        return list(pool.map(batches.links, tickets))


def test_pages_waiting_together_share_one_read_and_each_gets_its_own_links():
    reads = Reads()
    got = complete_together(LinkBatches(reads, max_ids=1_000, linger=0.2), pages(5, 200))
    assert len(reads.sent) == 1 and len(reads.sent[0]) == 1_000
    for ids, links in zip(pages(5, 200), got, strict=True):
        assert sorted(links) == sorted([(i, f"c{i}", True) for i in ids] + [(i, f"d{i}", False) for i in ids])


def test_no_read_carries_more_than_max_ids():
    reads = Reads()
    got = complete_together(LinkBatches(reads, max_ids=1_000, linger=0.2), pages(12, 200))
    assert max(len(s) for s in reads.sent) <= 1_000 and len(reads.sent) == 3
    assert sorted(i for s in reads.sent for i in s) == sorted(i for p in pages(12, 200) for i in p)
    assert all(len(links) == 400 for links in got)


def test_a_page_alone_is_read_after_the_linger_not_held_for_others():
    reads = Reads()
    batches = LinkBatches(reads, max_ids=1_000, linger=0.05)
    links = batches.links(batches.submit(["1", "2"]))
    assert reads.sent == [["1", "2"]] and len(links) == 4


def test_a_failed_read_is_raised_in_every_page_it_carried():
    batches = LinkBatches(Reads(fail=True), max_ids=1_000, linger=0.1)
    tickets = [batches.submit(ids) for ids in pages(3, 100)]
    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(batches.links, t) for t in tickets]
        for future in futures:
            with pytest.raises(RuntimeError, match="association read failed"):
                future.result()
