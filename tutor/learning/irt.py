"""Item difficulty on the logit scale shared with learner ability, and its online update.

The response model is BKT with item-specific emissions (a one-parameter-per-item form of KT-IDEM,
Pardos & Heffernan 2011): the knowledge point's guess and 1-slip are moved on the logit scale by the
item's difficulty ``b`` and stretched around their midpoint by its discrimination ``a`` (2PL-like)::

    logit P(correct | state) = c + a * (u_state - c) - b,   u_known = logit(1 - slip),
                                                           u_unknown = logit(guess), c = their midpoint

So an item with ``b = 0`` and ``a = 1`` behaves exactly like plain BKT, a harder item lowers both
curves, and learner ability (``logit P(correct)`` on an average item, see `ability`) lives on the same
scale as ``b``. Keeping the latent *state* from BKT (rather than a static IRT theta) lets ability grow
with practice, which a static Rasch theta would misread as item difficulty.

The online update is Elo/Urry-style: ``b += K(n) * (P - y)`` with a step that decays with the number
of attempts the item has seen (Pelanek 2016's uncertainty function ``K = k0 / (1 + decay * n)``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from tutor.learning.bkt import BKTParams, update_p_known
from tutor.learning.bkt import p_correct as bkt_p_correct

__all__ = [
    "DEFAULT_ITEM",
    "ItemParams",
    "OnlineIRTConfig",
    "ability",
    "item_adjusted",
    "logit",
    "online_item_update",
    "predict_correct",
    "sigmoid",
    "update_p_known_for_item",
]

_P_MIN = 1e-6


def sigmoid(x: float) -> float:
    """Numerically safe logistic function."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def logit(p: float) -> float:
    """Log-odds, clipped away from 0 and 1 so a certain probability stays finite."""
    p = min(max(p, _P_MIN), 1.0 - _P_MIN)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True, slots=True)
class ItemParams:
    """IRT state of one item: ``difficulty`` (logits, 0 = average item of its knowledge point),
    ``discrimination`` (1 = as discriminating as the knowledge point's guess/slip say), and
    ``n_attempts`` (how much evidence the estimate rests on; drives the online step size)."""

    difficulty: float = 0.0
    discrimination: float = 1.0
    n_attempts: int = 0

    def __post_init__(self) -> None:
        if not math.isfinite(self.difficulty) or abs(self.difficulty) > 10.0:
            raise ValueError(f"item difficulty must be a logit within [-10, 10], got {self.difficulty!r}")
        if not 0.05 <= self.discrimination <= 5.0:
            raise ValueError(f"item discrimination must be within [0.05, 5], got {self.discrimination!r}")
        if self.n_attempts < 0:
            raise ValueError("n_attempts cannot be negative")


DEFAULT_ITEM = ItemParams()
"""Prior for a new item with no stated difficulty."""


def item_adjusted(params: BKTParams, item: ItemParams) -> BKTParams:
    """The knowledge point's BKT parameters with guess and slip as this item shows them."""
    if item.difficulty == 0.0 and item.discrimination == 1.0:
        return params
    u_known = logit(1.0 - params.slip)
    u_unknown = logit(params.guess)
    mid = (u_known + u_unknown) / 2.0
    a, b = item.discrimination, item.difficulty
    p_known_correct = sigmoid(mid + a * (u_known - mid) - b)
    p_unknown_correct = sigmoid(mid + a * (u_unknown - mid) - b)
    return replace(params, guess=p_unknown_correct, slip=1.0 - p_known_correct)


def predict_correct(p_known: float, params: BKTParams, item: ItemParams = DEFAULT_ITEM) -> float:
    """Predicted P(correct) for a learner with this P(known) answering this item."""
    return bkt_p_correct(p_known, item_adjusted(params, item))


def update_p_known_for_item(
    p_known: float, correct: bool, params: BKTParams, item: ItemParams = DEFAULT_ITEM
) -> float:
    """BKT update that reads the answer in the light of the item's difficulty (a right answer to a
    hard item is stronger evidence of knowing than a right answer to an easy one)."""
    return update_p_known(p_known, correct, item_adjusted(params, item))


def ability(p_known: float, params: BKTParams) -> float:
    """Learner ability on one knowledge point, in logits: log-odds of a correct answer to an average
    item. Comparable with item difficulty: P(correct) is about 0.5 where they are equal."""
    return logit(bkt_p_correct(p_known, params))


@dataclass(frozen=True, slots=True)
class OnlineIRTConfig:
    """Step size of the online difficulty update: ``k0 / (1 + decay * n_attempts)``, never below ``k_min``
    so an item can still follow a real change (a reworded item, a leaked answer)."""

    k0: float = 0.4
    decay: float = 0.05
    k_min: float = 0.02
    max_abs_difficulty: float = 6.0

    def step(self, n_attempts: int) -> float:
        return max(self.k0 / (1.0 + self.decay * n_attempts), self.k_min)


def online_item_update(
    item: ItemParams, predicted: float, correct: bool, config: OnlineIRTConfig | None = None
) -> ItemParams:
    """Item state after one attempt whose P(correct) was predicted as ``predicted`` before it.

    More correct answers than predicted make the item easier (lower ``b``) and vice versa.
    """
    cfg = config or OnlineIRTConfig()
    residual = predicted - (1.0 if correct else 0.0)
    difficulty = item.difficulty + cfg.step(item.n_attempts) * residual
    difficulty = min(max(difficulty, -cfg.max_abs_difficulty), cfg.max_abs_difficulty)
    return replace(item, difficulty=difficulty, n_attempts=item.n_attempts + 1)
