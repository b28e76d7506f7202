"""Choose the next exercise like a good teacher: the right difficulty, on the right point, with a reason.

Order of preference (each step only when the previous one has nothing to offer):

1. a due wrong-answer-book item, with probability ``review_share`` (the most overdue first);
2. a *spaced mastery check*: a point that was mastered but whose shown mastery has decayed below the
   threshold since it was last practised (see `tutor.learning.decay`);
3. an item of a knowledge point that is *ready* (all prerequisites mastered) and not mastered yet;
4. an item of a not-mastered point whose prerequisites are partly mastered (the fewest gaps first);
5. an item of a mastered point (maintenance), then any due review item.

Within a tier we take the item whose predicted P(correct) is closest to the target (default 0.7:
hard enough to learn from, easy enough not to discourage) among items not seen recently; when every
item of the tier was seen recently, the least recently seen one. The item just answered is never
served again while the bank has anything else.

Two corrections on top of the tier's pick:

* **remediation**: after ``remediate_after`` wrong answers in a row on the point just practised, the
  learner gets an item of its weakest prerequisite, or, for a point without prerequisites, the
  easiest item of the point (predicted P(correct) near ``remediation_target``);
* **exploration**: with probability ``explore_rate`` an item that has seen fewer than
  ``calibrated_after`` answers and still lies within ``explore_window`` of the target is preferred, so
  the item bank gets calibrated instead of the same few items serving everyone.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from tutor.learning.bkt import DEFAULT_BKT_PARAMS, DEFAULT_MASTERY_THRESHOLD, BKTParams, is_mastered
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
    MASTERY_CHECK = "mastery_check"
    READY_TO_LEARN = "ready_to_learn"
    PREREQUISITE_GAPS = "prerequisite_gaps"
    MAINTENANCE = "maintenance"
    REMEDIATION_PREREQUISITE = "remediation_prerequisite"
    REMEDIATION_EASIER = "remediation_easier"
    EXPLORATION = "exploration"


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
    """What selection needs to know about one learner (plain values, loaded by the service).

    ``p_known`` is the mastery as shown now (decayed for time without practice); ``last_item`` and
    ``last_knowledge_points`` describe the answer just given; ``last_seen`` when each recently
    answered item was last answered; ``wrong_streak`` wrong answers in a row per point;
    ``mastery_checks`` points due for a spaced mastery check.
    """

    p_known: Mapping[str, float]
    recent_items: frozenset[Hashable] = frozenset()
    due_reviews: Sequence[DueReview] = ()
    last_item: Hashable | None = None
    last_knowledge_points: tuple[str, ...] = ()
    last_seen: Mapping[Hashable, datetime] = field(default_factory=dict)
    wrong_streak: Mapping[str, int] = field(default_factory=dict)
    mastery_checks: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SelectionConfig:
    target: float = 0.7
    review_share: float = 0.3
    mastery_threshold: float = DEFAULT_MASTERY_THRESHOLD
    remediate_after: int = 3
    remediation_target: float = 0.85
    explore_rate: float = 0.1
    explore_window: float = 0.2
    calibrated_after: int = 30

    def __post_init__(self) -> None:
        if not 0.05 <= self.target <= 0.95:
            raise ValueError(f"target P(correct) must be within [0.05, 0.95], got {self.target!r}")
        if not 0.0 <= self.review_share <= 1.0:
            raise ValueError("review_share must be within [0, 1]")
        if not 0.0 <= self.explore_rate <= 1.0:
            raise ValueError("explore_rate must be within [0, 1]")
        if self.remediate_after < 1:
            raise ValueError("remediate_after must be at least 1")


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


@dataclass(frozen=True, slots=True)
class _Scored:
    cand: Candidate
    kp: str
    p: float


class _Selector:
    def __init__(
        self,
        candidates: Sequence[Candidate],
        learner: LearnerState,
        prerequisites: Mapping[str, Sequence[str]],
        params: Mapping[str, BKTParams],
        cfg: SelectionConfig,
        rng: random.Random,
    ) -> None:
        self.learner, self.prerequisites, self.params, self.cfg, self.rng = (
            learner,
            prerequisites,
            params,
            cfg,
            rng,
        )
        # never the item just answered, unless the bank holds nothing else
        others = [c for c in candidates if c.item_id != learner.last_item]
        self.candidates = others or list(candidates)

    def score(self, c: Candidate) -> _Scored:
        kp, p = predict_item(c, self.learner.p_known, self.params)
        return _Scored(c, kp, p)

    def mastered(self, kp: str) -> bool:
        params = self.params.get(kp, DEFAULT_BKT_PARAMS)
        return is_mastered(self.learner.p_known.get(kp, params.prior), self.cfg.mastery_threshold, params)

    def closest(self, pool: Sequence[Candidate], target: float) -> _Scored | None:
        """Nearest the target among items not seen recently; else the least recently seen."""
        if not pool:
            return None
        fresh = [c for c in pool if c.item_id not in self.learner.recent_items]
        if fresh:
            scored = [self.score(c) for c in fresh]
            return min(scored, key=lambda s: (abs(s.p - target), str(s.cand.item_id)))
        seen = self.learner.last_seen

        def age(c: Candidate) -> tuple[float, str]:
            at = seen.get(c.item_id)
            return (float("-inf") if at is None else at.timestamp(), str(c.item_id))

        return self.score(min(pool, key=age))

    def on_points(self, kps: set[str]) -> list[Candidate]:
        return [c for c in self.candidates if c.knowledge_points[0] in kps]

    def remediation(self, kp: str) -> Pick | None:
        cfg = self.cfg
        if kp not in self.learner.last_knowledge_points:
            return None  # the failure is not fresh: the learner has just been remediated
        if self.learner.wrong_streak.get(kp, 0) < cfg.remediate_after:
            return None
        pres = [pre for pre in self.prerequisites.get(kp, ()) if self.on_points({pre})]
        if pres:
            weakest = min(pres, key=lambda pre: (self.learner.p_known.get(pre, 0.0), pre))
            found = self.closest(self.on_points({weakest}), max(cfg.target, cfg.remediation_target))
            if found is not None:
                return Pick(found.cand.item_id, found.kp, found.p, PickReason.REMEDIATION_PREREQUISITE)
        found = self.closest(self.on_points({kp}), max(cfg.target, cfg.remediation_target))
        if found is not None:
            return Pick(found.cand.item_id, found.kp, found.p, PickReason.REMEDIATION_EASIER)
        return None

    def explore(self, pool: Sequence[Candidate]) -> _Scored | None:
        cfg = self.cfg
        fresh = [c for c in pool if c.item_id not in self.learner.recent_items]
        scored = [
            s
            for s in (self.score(c) for c in fresh if c.item.n_attempts < cfg.calibrated_after)
            if abs(s.p - cfg.target) <= cfg.explore_window
        ]
        if not scored:
            return None
        return min(scored, key=lambda s: (s.cand.item.n_attempts, abs(s.p - cfg.target), str(s.cand.item_id)))

    def tier_pick(self, pool: Sequence[Candidate], reason: PickReason) -> Pick | None:
        found = self.closest(pool, self.cfg.target)
        if found is None:
            return None
        remedy = self.remediation(found.kp)
        if remedy is not None:
            return remedy
        if self.cfg.explore_rate > 0.0 and self.rng.random() < self.cfg.explore_rate:
            explored = self.explore(pool)
            if explored is not None and explored.cand.item_id != found.cand.item_id:
                return Pick(explored.cand.item_id, explored.kp, explored.p, PickReason.EXPLORATION)
        return Pick(found.cand.item_id, found.kp, found.p, reason)


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
    sel = _Selector(candidates, learner, prerequisites, kp_params or {}, cfg, rng or random.Random())
    by_id = {c.item_id: c for c in sel.candidates}

    def review_pick() -> Pick | None:
        due = sorted(
            (r for r in learner.due_reviews if r.due_at <= now and r.item_id in by_id), key=lambda r: r.due_at
        )
        if not due:
            return None
        s = sel.score(by_id[due[0].item_id])
        return Pick(s.cand.item_id, s.kp, s.p, PickReason.REVIEW_DUE)

    if cfg.review_share > 0.0 and sel.rng.random() < cfg.review_share:
        pick = review_pick()
        if pick is not None:
            return pick

    if learner.mastery_checks:
        found = sel.closest(sel.on_points(set(learner.mastery_checks)), cfg.target)
        if found is not None:
            return Pick(found.cand.item_id, found.kp, found.p, PickReason.MASTERY_CHECK)

    def gaps(kp: str) -> int:
        return sum(1 for pre in prerequisites.get(kp, ()) if not sel.mastered(pre))

    tiers: dict[PickReason, list[Candidate]] = {
        PickReason.READY_TO_LEARN: [],
        PickReason.PREREQUISITE_GAPS: [],
        PickReason.MAINTENANCE: [],
    }
    min_gaps: dict[Hashable, int] = {}
    for c in sel.candidates:
        main = c.knowledge_points[0]
        if sel.mastered(main):
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

    for reason, pool in tiers.items():
        pick = sel.tier_pick(pool, reason)
        if pick is not None:
            return pick
    return review_pick()
