"""Next-exercise selection: target difficulty, prerequisites, no repeats, due re-practice."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from tutor.learning.irt import ItemParams
from tutor.learning.selection import (
    Candidate,
    DueReview,
    LearnerState,
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
