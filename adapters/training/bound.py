"""Per-learner contribution bound: learners, not examples, are the unit of privacy.

Each learner keeps at most ``k`` examples (a seeded random subset, chosen from that learner's data
alone). The DP loader Poisson-samples *learners*; a sampled learner contributes exactly one example,
drawn uniformly from their capped pool, so one learner's whole data moves at most one clipped gradient
per step. The accountant therefore runs over learners (see ``GUARANTEE.md``).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from adapters.training.dataset import BelleExample

__all__ = ["LearnerPools", "cap_per_learner"]


@dataclass(frozen=True)
class LearnerPools:
    """Capped example pools, one per learner; keys are opaque pseudonyms, never names."""

    pools: tuple[tuple[BelleExample, ...], ...]
    cap: int

    @property
    def learner_count(self) -> int:
        return len(self.pools)

    @property
    def example_count(self) -> int:
        return sum(len(p) for p in self.pools)

    def flat(self) -> list[BelleExample]:
        return [example for pool in self.pools for example in pool]


def _learner_rng(learner_key: str, seed: int) -> random.Random:
    # Seeded per learner so one learner's subset never depends on anyone else's data.
    digest = hashlib.sha256(f"{seed}:{learner_key}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def cap_per_learner(
    by_learner: Mapping[str, Sequence[BelleExample]], k: int, *, seed: int = 0
) -> LearnerPools:
    """Keep at most ``k`` examples per learner; learners without examples are dropped."""
    if k < 1:
        raise ValueError("k (examples per learner) must be at least 1")
    pools: list[tuple[BelleExample, ...]] = []
    for key in sorted(by_learner):
        examples = list(by_learner[key])
        if not examples:
            continue
        if len(examples) > k:
            examples = _learner_rng(key, seed).sample(examples, k)
        pools.append(tuple(examples))
    return LearnerPools(pools=tuple(pools), cap=k)
