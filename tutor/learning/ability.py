"""A learner ability term and evidence along the prerequisite graph.

**Ability.** Two learners with the same P(known) on a point do not answer alike: some are quicker in
general. Each learner carries one ability ``theta`` on the logit scale shared with item difficulty
(`tutor.learning.irt`); it acts as an easier item for a stronger learner: the item's difficulty as
this learner sees it is ``b - theta``. So P(correct) depends on the learner (``theta``), the knowledge
point (its BKT state and guess/slip) and the item (``b``, ``a``). ``theta`` is updated online,
Elo-style, with the residual of every answer and a step that shrinks with evidence (the same
uncertainty function as the item update), and stays within ``+-max_abs``.

**Prerequisite evidence.** A right answer on a point that builds on another is some evidence that
the learner knows the prerequisite too, and a wrong one some evidence of a gap. The update is a small
shift of the prerequisite's log-odds (``nudge``, default 0.15: a likelihood ratio of about 1.16),
deliberately much weaker than a direct answer on the prerequisite (ratio 4.5 with default parameters).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tutor.learning.bkt import clamp_p_known
from tutor.learning.irt import ItemParams

__all__ = ["AbilityConfig", "for_learner", "prerequisite_evidence", "update_ability"]


@dataclass(frozen=True, slots=True)
class AbilityConfig:
    k0: float = 0.3
    decay: float = 0.02
    k_min: float = 0.03
    max_abs: float = 3.0
    nudge: float = 0.15

    def step(self, n_answers: int) -> float:
        return max(self.k0 / (1.0 + self.decay * n_answers), self.k_min)


def for_learner(item: ItemParams, theta: float) -> ItemParams:
    """The item as a learner of ability ``theta`` meets it (an easier item for a stronger learner)."""
    if theta == 0.0:
        return item
    return replace(item, difficulty=min(max(item.difficulty - theta, -10.0), 10.0))


def update_ability(
    theta: float, n_answers: int, predicted: float, correct: bool, config: AbilityConfig | None = None
) -> float:
    """Ability after one answer whose P(correct) (with the current ``theta``) was ``predicted``."""
    cfg = config or AbilityConfig()
    moved = theta + cfg.step(n_answers) * ((1.0 if correct else 0.0) - predicted)
    return min(max(moved, -cfg.max_abs), cfg.max_abs)


def prerequisite_evidence(
    p_known: Mapping[str, float],
    knowledge_points: Sequence[str],
    correct: bool,
    prerequisites: Mapping[str, Sequence[str]],
    config: AbilityConfig | None = None,
) -> dict[str, float]:
    """New P(known) of the direct prerequisites of the answered points (only those the learner has a
    belief on; the answered points themselves are left to the BKT update)."""
    cfg = config or AbilityConfig()
    answered = set(knowledge_points)
    shift = cfg.nudge if correct else -cfg.nudge
    out: dict[str, float] = {}
    for kp in knowledge_points:
        for pre in prerequisites.get(kp, ()):
            if pre in answered or pre in out or pre not in p_known:
                continue
            p = clamp_p_known(p_known[pre])
            out[pre] = clamp_p_known(1.0 / (1.0 + math.exp(-(math.log(p / (1.0 - p)) + shift))))
    return out
