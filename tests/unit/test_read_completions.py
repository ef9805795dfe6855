"""A concurrent read keeps the completions still running or failed, not every one it submitted: a
million-record object submits ~10,000, and their futures held memory until its read ended."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from pipelines.hubspot.concurrent_reads import _Completions


def test_completions_that_ended_well_are_dropped_as_new_ones_come():
    completions = _Completions()
    with ThreadPoolExecutor(2) as pool:
        for n in range(1_000):
            future = pool.submit(lambda n=n: n)
            future.result()
            completions.add(future)
    assert len(completions._futures) == 1  # the last one, added after the others ended
    completions.wait()


def test_a_failed_completion_is_kept_and_raised_however_many_follow():
    completions = _Completions()
    with ThreadPoolExecutor(2) as pool:
        failed = pool.submit(lambda: 1 / 0)
        failed.exception()
        completions.add(failed)
        for n in range(100):
            future = pool.submit(lambda n=n: n)
            future.result()
            completions.add(future)
    with pytest.raises(ZeroDivisionError):
        completions.wait()


def test_an_error_of_a_search_worker_is_raised():
    completions = _Completions()
    completions.fail(RuntimeError("search failed"))
    with pytest.raises(RuntimeError, match="search failed"):
        completions.wait()
