"""Write batches: listed pages (links inline) and pages read apart (links beside them) each fill
batches of their own, however the concurrent reader interleaves them."""

from __future__ import annotations

from pipelines.sync import _batched, _Read


def listed(n: int, start: int) -> _Read:
    return _Read([{"id": str(i)} for i in range(start, start + n)])


def searched(n: int, start: int) -> _Read:
    return _Read([{"id": str(i)} for i in range(start, start + n)], links=[(str(start), "c1", True)])


def test_interleaved_kinds_fill_their_own_batches_and_nothing_is_lost():
    reads = [listed(50, 0), searched(100, 1000), listed(50, 50), searched(100, 1100), listed(50, 100)]
    batches = list(_batched(reads, None, "deals", size=200))  # 100 per kind
    # a kind's batch goes as soon as it holds half the size, then what is left
    assert [(len(b.records), b.links is None) for b in batches] == [(100, False), (100, True), (100, False), (50, True)]
    ids = [r["id"] for b in batches for r in b.records]
    assert sorted(ids) == sorted(r["id"] for read in reads for r in read.records)
    assert all(b.links is None or len(b.links) == len(b.records) // 100 for b in batches)
