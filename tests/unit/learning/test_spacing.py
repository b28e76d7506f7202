"""Wrong-answer book schedule: 1, 3, 7 days; a correct re-practice clears."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tutor.learning.spacing import SpacingConfig, on_attempt, open_entry

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_wrong_answer_opens_entry_due_next_day() -> None:
    entry = on_attempt(None, False, T0)
    assert entry is not None
    assert entry.due_at == T0 + timedelta(days=1)
    assert entry.open
    assert not entry.is_due(T0 + timedelta(hours=23))
    assert entry.is_due(T0 + timedelta(days=1))


def test_correct_answer_without_entry_needs_none() -> None:
    assert on_attempt(None, True, T0) is None


def test_default_ladder_is_walked_to_the_30_day_step_before_clearing() -> None:
    # clear_after=1 used to clear every entry on its first 1-day re-practice
    entry = open_entry(T0)
    at = T0
    for days in (3, 7, 14, 30):
        at = entry.due_at
        step = on_attempt(entry, True, at)
        assert step is not None and step.open
        assert step.due_at - at == timedelta(days=days)
        entry = step
    cleared = on_attempt(entry, True, entry.due_at)
    assert cleared is not None and not cleared.open


def test_correct_re_practice_when_due_clears_with_clear_after_one() -> None:
    entry = open_entry(T0)
    later = T0 + timedelta(days=2)
    cleared = on_attempt(entry, True, later, SpacingConfig(clear_after=1))
    assert cleared is not None
    assert cleared.cleared_at == later
    assert not cleared.open


def test_correct_answer_before_due_keeps_entry() -> None:
    entry = open_entry(T0)
    assert on_attempt(entry, True, T0 + timedelta(minutes=1)) == entry


def test_ladder_with_more_required_successes() -> None:
    cfg = SpacingConfig(intervals_days=(1, 3, 7), clear_after=3)
    e = open_entry(T0, cfg)
    t1 = T0 + timedelta(days=1)
    e1 = on_attempt(e, True, t1, cfg)
    assert e1 is not None
    assert e1.due_at == t1 + timedelta(days=3)
    t2 = t1 + timedelta(days=3)
    e2 = on_attempt(e1, True, t2, cfg)
    assert e2 is not None
    assert e2.due_at == t2 + timedelta(days=7)
    e3 = on_attempt(e2, True, t2 + timedelta(days=7), cfg)
    assert e3 is not None
    assert not e3.open


def test_wrong_again_restarts_the_ladder() -> None:
    cfg = SpacingConfig(intervals_days=(1, 3, 7), clear_after=3)
    e1 = on_attempt(open_entry(T0, cfg), True, T0 + timedelta(days=1), cfg)
    t = T0 + timedelta(days=4)
    e2 = on_attempt(e1, False, t, cfg)
    assert e2 is not None
    assert e2.stage == 0
    assert e2.wrong_count == 2
    assert e2.due_at == t + timedelta(days=1)
