"""Next-exercise selection: target difficulty, prerequisites, no repeats, due re-practice."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from tutor.learning.irt import ItemParams
from tutor.learning.selection import (
    Candidate,
    DueReview,
    LearnerState,
    Pick,
    PickReason,
    SelectionConfig,
    select_next,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PREREQS = {"lin.one_step": [], "lin.two_step": ["lin.one_step"], "lin.brackets": ["lin.two_step"]}
NO_REVIEW = SelectionConfig(review_share=0.0)


def _items() -> list[Candidate]:
    out = []
    for kp in PREREQS:
        for b in (-2.0, -1.0, 0.0, 1.0, 2.0):
            out.append(Candidate(f"{kp}:{b}", (kp,), ItemParams(difficulty=b)))
    return out


def test_picks_ready_point_at_target_difficulty() -> None:
    learner = LearnerState(p_known={"lin.one_step": 0.99, "lin.two_step": 0.5, "lin.brackets": 0.1})
    pick = select_next(_items(), learner, PREREQS, NOW, config=NO_REVIEW)
    assert pick is not None
    assert pick.knowledge_point == "lin.two_step"
    assert pick.reason is PickReason.READY_TO_LEARN
    # the chosen item is the closest of its point's items to 0.7
    assert abs(pick.predicted_p_correct - 0.7) < 0.12


def test_target_is_configurable() -> None:
    learner = LearnerState(p_known={"lin.one_step": 0.99, "lin.two_step": 0.5})
    easy = select_next(_items(), learner, PREREQS, NOW, config=SelectionConfig(target=0.9, review_share=0))
    hard = select_next(_items(), learner, PREREQS, NOW, config=SelectionConfig(target=0.3, review_share=0))
    assert easy is not None
    assert hard is not None
    assert easy.predicted_p_correct > hard.predicted_p_correct


def test_point_with_unmastered_prerequisite_is_not_preferred() -> None:
    learner = LearnerState(p_known={"lin.one_step": 0.3, "lin.two_step": 0.3, "lin.brackets": 0.3})
    pick = select_next(_items(), learner, PREREQS, NOW, config=NO_REVIEW)
    assert pick is not None
    assert pick.knowledge_point == "lin.one_step"


def test_recent_items_are_not_repeated() -> None:
    learner = LearnerState(p_known={"lin.one_step": 0.99, "lin.two_step": 0.5, "lin.brackets": 0.1})
    first = select_next(_items(), learner, PREREQS, NOW, config=NO_REVIEW)
    assert first is not None
    again = select_next(
        _items(),
        LearnerState(p_known=learner.p_known, recent_items=frozenset({first.item_id})),
        PREREQS,
        NOW,
        config=NO_REVIEW,
    )
    assert again is not None
    assert again.item_id != first.item_id
    assert again.knowledge_point == "lin.two_step"


def test_due_review_is_mixed_in() -> None:
    items = _items()
    due = [DueReview("lin.one_step:2.0", NOW - timedelta(hours=1))]
    learner = LearnerState(p_known={"lin.one_step": 0.99}, due_reviews=due)
    pick = select_next(items, learner, PREREQS, NOW, config=SelectionConfig(review_share=1.0))
    assert pick is not None
    assert pick.reason is PickReason.REVIEW_DUE
    assert pick.item_id == "lin.one_step:2.0"
    # about review_share of the picks are reviews
    rng = random.Random(7)
    cfg = SelectionConfig(review_share=0.3)
    reviews = sum(
        select_next(items, learner, PREREQS, NOW, config=cfg, rng=rng).reason is PickReason.REVIEW_DUE  # type: ignore[union-attr]
        for _ in range(400)
    )
    assert 80 < reviews < 160


def test_review_not_yet_due_is_not_served() -> None:
    learner = LearnerState(
        p_known={"lin.one_step": 0.99},
        due_reviews=[DueReview("lin.one_step:2.0", NOW + timedelta(hours=1))],
    )
    pick = select_next(_items(), learner, PREREQS, NOW, config=SelectionConfig(review_share=1.0))
    assert pick is not None
    assert pick.reason is not PickReason.REVIEW_DUE


def test_all_mastered_gives_maintenance_and_empty_bank_gives_none() -> None:
    learner = LearnerState(p_known=dict.fromkeys(PREREQS, 0.99))
    pick = select_next(_items(), learner, PREREQS, NOW, config=NO_REVIEW)
    assert pick is not None
    assert pick.reason is PickReason.MAINTENANCE
    assert select_next([], learner, PREREQS, NOW) is None


def _failing_learner_picks(n: int, recent_window: int) -> list[Pick]:
    """A learner who answers every item wrong, the recent window as the service builds it."""
    items = _items()
    rng = random.Random(3)
    history: list[tuple[object, str]] = []
    picks: list[Pick] = []
    at = NOW
    for streak in range(n):
        last = history[-1] if history else None
        learner = LearnerState(
            p_known={"lin.one_step": 0.1},
            recent_items=frozenset(i for i, _ in history[-recent_window:]),
            last_item=last[0] if last else None,
            last_knowledge_points=(last[1],) if last else (),
            last_seen={i: NOW + timedelta(minutes=k) for k, (i, _) in enumerate(history)},
            wrong_streak={"lin.one_step": streak},
        )
        pick = select_next(items, learner, PREREQS, at, config=NO_REVIEW, rng=rng)
        assert pick is not None
        picks.append(pick)
        history.append((pick.item_id, pick.knowledge_point))
        at += timedelta(minutes=1)
    return picks


def test_failing_learner_never_gets_the_same_item_twice_in_a_row() -> None:
    # the old selector served the one item closest to the target again once all were "recent"
    for window in (0, 2, 20):
        picks = _failing_learner_picks(30, window)
        assert all(a.item_id != b.item_id for a, b in itertools.pairwise(picks))


def test_least_recently_seen_item_when_all_were_seen() -> None:
    items = [c for c in _items() if c.knowledge_points[0] == "lin.one_step"]
    seen = {c.item_id: NOW - timedelta(minutes=10 * k) for k, c in enumerate(items)}
    learner = LearnerState(
        p_known={"lin.one_step": 0.2},
        recent_items=frozenset(seen),
        last_item=items[0].item_id,
        last_seen=seen,
    )
    pick = select_next(items, learner, PREREQS, NOW, config=NO_REVIEW)
    assert pick is not None
    assert pick.item_id == items[-1].item_id  # seen longest ago


def test_repeated_failure_moves_to_the_prerequisite() -> None:
    learner = LearnerState(
        p_known={"lin.one_step": 0.96, "lin.two_step": 0.2},
        last_item="lin.two_step:0.0",
        last_knowledge_points=("lin.two_step",),
        wrong_streak={"lin.two_step": 3},
    )
    pick = select_next(_items(), learner, PREREQS, NOW, config=NO_REVIEW)
    assert pick is not None
    assert pick.reason is PickReason.REMEDIATION_PREREQUISITE
    assert pick.knowledge_point == "lin.one_step"
    # two wrong answers are not yet a pattern
    calm = LearnerState(
        p_known=learner.p_known,
        last_item="lin.two_step:0.0",
        last_knowledge_points=("lin.two_step",),
        wrong_streak={"lin.two_step": 2},
    )
    normal = select_next(_items(), calm, PREREQS, NOW, config=NO_REVIEW)
    assert normal is not None and normal.reason is PickReason.READY_TO_LEARN


def test_repeated_failure_on_a_root_point_gets_an_easier_item() -> None:
    base = LearnerState(p_known={"lin.one_step": 0.6})
    normal = select_next(_items(), base, PREREQS, NOW, config=NO_REVIEW)
    learner = LearnerState(
        p_known={"lin.one_step": 0.6},
        last_item="lin.one_step:1.0",
        last_knowledge_points=("lin.one_step",),
        wrong_streak={"lin.one_step": 4},
    )
    pick = select_next(_items(), learner, PREREQS, NOW, config=NO_REVIEW)
    assert normal is not None and pick is not None
    assert pick.reason is PickReason.REMEDIATION_EASIER
    assert pick.predicted_p_correct > normal.predicted_p_correct


def test_exploration_serves_uncalibrated_items_near_the_target() -> None:
    calibrated = [
        Candidate(c.item_id, c.knowledge_points, ItemParams(c.item.difficulty, 1.0, 500))
        for c in _items()
        if c.item_id != "lin.one_step:-2.0"
    ]
    items = [*calibrated, Candidate("lin.one_step:-2.0", ("lin.one_step",), ItemParams(-2.0))]
    learner = LearnerState(p_known={"lin.one_step": 0.5})
    always = SelectionConfig(review_share=0.0, explore_rate=1.0, explore_window=0.3)
    never = SelectionConfig(review_share=0.0, explore_rate=0.0)
    explored = select_next(items, learner, PREREQS, NOW, config=always)
    plain = select_next(items, learner, PREREQS, NOW, config=never)
    assert explored is not None and plain is not None
    assert explored.reason is PickReason.EXPLORATION
    assert explored.item_id == "lin.one_step:-2.0"
    assert plain.item_id != "lin.one_step:-2.0"


def test_decayed_mastered_point_gets_a_mastery_check() -> None:
    learner = LearnerState(
        p_known={"lin.one_step": 0.9, "lin.two_step": 0.3}, mastery_checks=frozenset({"lin.one_step"})
    )
    pick = select_next(_items(), learner, PREREQS, NOW, config=NO_REVIEW)
    assert pick is not None
    assert pick.reason is PickReason.MASTERY_CHECK
    assert pick.knowledge_point == "lin.one_step"
