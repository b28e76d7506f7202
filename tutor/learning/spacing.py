"""The wrong-answer book's (错题本) spaced re-practice schedule.

A wrong answer opens an entry due one interval later. A correct answer once the entry is due counts as
a successful re-practice and pushes the next one to the following interval (1, 3, 7, 14, 30 days);
after ``clear_after`` of them the entry is cleared. The default walks the whole ladder (one success per
interval, so the entry leaves the book after the 30-day check); an earlier default of 1 cleared every
entry on its first one-day re-practice and made the 3/7/14/30-day steps unreachable. A wrong answer
at any time starts the ladder again. A correct answer *before* the entry is due (the immediate retry
in the same session) does not count: it shows short-term memory, not retention, which is what spacing
is for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

__all__ = ["DEFAULT_INTERVALS_DAYS", "ReviewState", "SpacingConfig", "on_attempt", "open_entry"]

DEFAULT_INTERVALS_DAYS: tuple[int, ...] = (1, 3, 7, 14, 30)


@dataclass(frozen=True, slots=True)
class SpacingConfig:
    intervals_days: tuple[int, ...] = DEFAULT_INTERVALS_DAYS
    clear_after: int | None = None
    """Successful due re-practices that clear an entry; ``None``: one per interval (the whole ladder)."""

    def __post_init__(self) -> None:
        if not self.intervals_days or any(d <= 0 for d in self.intervals_days):
            raise ValueError("re-practice intervals must be a non-empty list of positive day counts")
        if self.clear_after is not None and self.clear_after < 1:
            raise ValueError("clear_after must be at least 1")

    @property
    def successes_to_clear(self) -> int:
        return len(self.intervals_days) if self.clear_after is None else self.clear_after

    def interval(self, stage: int) -> timedelta:
        return timedelta(days=self.intervals_days[min(stage, len(self.intervals_days) - 1)])


@dataclass(frozen=True, slots=True)
class ReviewState:
    """Schedule of one (learner, item) entry; ``cleared_at`` set means it left the book."""

    stage: int
    due_at: datetime
    wrong_count: int
    cleared_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.cleared_at is None

    def is_due(self, now: datetime) -> bool:
        return self.open and now >= self.due_at


def open_entry(now: datetime, config: SpacingConfig | None = None) -> ReviewState:
    """A fresh entry after a first wrong answer."""
    cfg = config or SpacingConfig()
    return ReviewState(stage=0, due_at=now + cfg.interval(0), wrong_count=1)


def on_attempt(
    state: ReviewState | None, correct: bool, now: datetime, config: SpacingConfig | None = None
) -> ReviewState | None:
    """The entry after an attempt on its item (``None``: no entry, and none needed)."""
    cfg = config or SpacingConfig()
    if state is None or not state.open:
        return open_entry(now, cfg) if not correct else state
    if not correct:
        return ReviewState(stage=0, due_at=now + cfg.interval(0), wrong_count=state.wrong_count + 1)
    if now < state.due_at:
        return state
    stage = state.stage + 1
    if stage >= cfg.successes_to_clear:
        return replace(state, stage=stage, cleared_at=now)
    return replace(state, stage=stage, due_at=now + cfg.interval(stage))
