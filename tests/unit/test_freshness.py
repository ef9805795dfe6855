"""The marts' freshness follows the sync schedule, whatever cron it is given."""

from datetime import timedelta

from pipelines.freshness import RUN_ALLOWANCE, freshness_from_schedule, longest_gap


def test_the_longest_gap_between_syncs_sets_the_freshness_window():
    assert longest_gap("0 6 * * *") == timedelta(days=1)
    assert longest_gap("0 6 * * 1-5") == timedelta(days=3)  # Friday to Monday
    assert longest_gap("0 */6 * * *") == timedelta(hours=6)
    policy = freshness_from_schedule("0 6 * * 1-5")
    assert policy.fail_window.to_timedelta() == timedelta(days=3) + RUN_ALLOWANCE
