"""Choose the next exercise: the right difficulty, on the right knowledge point, with its reason.

Order of preference (each step only when the previous one has nothing to offer):

1. a due wrong-answer-book item, with probability ``review_share`` (the most overdue first);
2. an item of a knowledge point that is *ready* (all prerequisites mastered) and not mastered yet;
3. an item of a not-mastered point whose prerequisites are partly mastered (the fewest gaps first);
4. an item of a mastered point (maintenance), then any due review item.

Within a tier we take the item whose predicted P(correct) is closest to the target (default 0.7:
hard enough to learn from, easy enough not to discourage), skipping recently seen items unless the
tier has nothing else.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from tutor.learning.bkt import DEFAULT_BKT_PARAMS, DEFAULT_MASTERY_THRESHOLD, BKTParams
from tutor.learning.irt import ItemParams, predict_correct

__all__ = [
    "Candidate",
    "DueReview",
    "LearnerState",
    "Pick",
    "PickReason",
    "SelectionConfig",
    "predict_item",
    "select_next",
]


class PickReason(StrEnum):
    REVIEW_DUE = "review_due"
    READY_TO_LEARN = "ready_to_learn"
    PREREQUISITE_GAPS = "prerequisite_gaps"
    MAINTENANCE = "maintenance"


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item that could be served, with its knowledge points (first = main) and IRT state."""

    item_id: Hashable
    knowledge_points: tuple[str, ...]
    item: ItemParams = field(default_factory=ItemParams)


@dataclass(frozen=True, slots=True)
class DueReview:
    item_id: Hashable
    due_at: datetime


@dataclass(frozen=True, slots=True)
class LearnerState:
    """What selection needs to know about one learner (plain values, loaded by the service)."""

    p_known: Mapping[str, float]
    recent_items: frozenset[Hashable] = frozenset()
    due_reviews: Sequence[DueReview] = ()


@dataclass(frozen=True, slots=True)
class SelectionConfig:
    target: float = 0.7
    review_share: float = 0.3
    mastery_threshold: float = DEFAULT_MASTERY_THRESHOLD

    def __post_init__(self) -> None:
        if not 0.05 <= self.target <= 0.95:
            raise ValueError(f"target P(correct) must be within [0.05, 0.95], got {self.target!r}")
        if not 0.0 <= self.review_share <= 1.0:
            raise ValueError("review_share must be within [0, 1]")


@dataclass(frozen=True, slots=True)
class Pick:
    item_id: Hashable
    knowledge_point: str
    predicted_p_correct: float
    reason: PickReason


def predict_item(
    candidate: Candidate, p_known: Mapping[str, float], kp_params: Mapping[str, BKTParams]
) -> tuple[str, float]:
    """(limiting knowledge point, predicted P(correct)): an item needing several points is only as
    easy as its weakest one, so the lowest per-point prediction is the item's."""
    best: tuple[str, float] | None = None
    for kp in candidate.knowledge_points:
        params = kp_params.get(kp, DEFAULT_BKT_PARAMS)
        p = predict_correct(p_known.get(kp, params.prior), params, candidate.item)
        if best is None or p < best[1]:
            best = (kp, p)
    if best is None:
        raise ValueError(f"item {candidate.item_id!r} has no knowledge point")
    return best


def _closest(
    candidates: Sequence[Candidate],
    learner: LearnerState,
    kp_params: Mapping[str, BKTParams],
    target: float,
) -> tuple[Candidate, str, float] | None:
    fresh = [c for c in candidates if c.item_id not in learner.recent_items]
    pool = fresh or list(candidates)
    best: tuple[float, str, Candidate, str, float] | None = None
    for c in pool:
        kp, p = predict_item(c, learner.p_known, kp_params)
        key = (abs(p - target), str(c.item_id), c, kp, p)
        if best is None or key[:2] < best[:2]:
            best = key
    return None if best is None else (best[2], best[3], best[4])


def select_next(
    candidates: Sequence[Candidate],
    learner: LearnerState,
    prerequisites: Mapping[str, Sequence[str]],
    now: datetime,
    *,
    kp_params: Mapping[str, BKTParams] | None = None,
    config: SelectionConfig | None = None,
    rng: random.Random | None = None,
) -> Pick | None:
    """The next item for this learner, or ``None`` when there is no candidate at all."""
    cfg = config or SelectionConfig()
    params = kp_params or {}
    rng = rng or random.Random()
    by_id = {c.item_id: c for c in candidates}

    def review_pick() -> Pick | None:
        due = sorted(
            (r for r in learner.due_reviews if r.due_at <= now and r.item_id in by_id), key=lambda r: r.due_at
        )
        if not due:
            return None
        cand = by_id[due[0].item_id]
        kp, p = predict_item(cand, learner.p_known, params)
        return Pick(cand.item_id, kp, p, PickReason.REVIEW_DUE)

    if cfg.review_share > 0.0 and rng.random() < cfg.review_share:
        pick = review_pick()
        if pick is not None:
            return pick

    def mastered(kp: str) -> bool:
        p = learner.p_known.get(kp, params.get(kp, DEFAULT_BKT_PARAMS).prior)
        return p >= cfg.mastery_threshold

    def gaps(kp: str) -> int:
        return sum(1 for pre in prerequisites.get(kp, ()) if not mastered(pre))

    tiers: dict[PickReason, list[Candidate]] = {r: [] for r in PickReason}
    min_gaps: dict[Hashable, int] = {}
    for c in candidates:
        main = c.knowledge_points[0]
        if mastered(main):
            tiers[PickReason.MAINTENANCE].append(c)
        elif gaps(main) == 0:
            tiers[PickReason.READY_TO_LEARN].append(c)
        else:
            min_gaps[c.item_id] = gaps(main)
            tiers[PickReason.PREREQUISITE_GAPS].append(c)
    if tiers[PickReason.PREREQUISITE_GAPS]:
        fewest = min(min_gaps.values())
        tiers[PickReason.PREREQUISITE_GAPS] = [
            c for c in tiers[PickReason.PREREQUISITE_GAPS] if min_gaps[c.item_id] == fewest
        ]

    for reason in (PickReason.READY_TO_LEARN, PickReason.PREREQUISITE_GAPS, PickReason.MAINTENANCE):
        found = _closest(tiers[reason], learner, params, cfg.target)
        if found is not None:
            cand, kp, p = found
            return Pick(cand.item_id, kp, p, reason)
    return review_pick()
