"""Privacy accounting shared by the pre-flight plan and the trainer, so both report the same epsilon.

Opacus' ``DPDataLoader`` yields ``ceil(N / B)`` batches per epoch with sample rate ``1 / ceil(N / B)``,
where ``N`` is the number of learners (the privacy unit) and ``B`` the expected learners per step.
:func:`plan_run` reproduces that arithmetic and asks the same accountant, *before* any data is touched,
so a run that would exceed a budget is refused without spending anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from tutor.errors import UnprocessableError

__all__ = ["Accountant", "PrivacyPlan", "epsilon_for", "plan_run"]

Accountant = Literal["prv", "rdp"]


@dataclass(frozen=True)
class PrivacyPlan:
    """What a run will spend: user-level (epsilon, delta) over ``learner_count`` learners."""

    epsilon: float
    delta: float
    noise_multiplier: float
    sample_rate: float
    steps: int
    epochs: int
    learner_count: int
    expected_batch_size: int
    accountant: Accountant


def epsilon_for(
    *, noise_multiplier: float, sample_rate: float, steps: int, delta: float, accountant: Accountant
) -> float:
    """Epsilon of ``steps`` Poisson-subsampled Gaussian steps, from Opacus' own accountant."""
    from opacus.accountants import create_accountant

    acc = create_accountant(mechanism=accountant)
    acc.history = [(noise_multiplier, sample_rate, steps)]
    return float(acc.get_epsilon(delta=delta))


def plan_run(
    *,
    learner_count: int,
    expected_batch_size: int,
    epochs: int,
    delta: float,
    accountant: Accountant = "prv",
    target_epsilon: float | None = None,
    noise_multiplier: float | None = None,
    max_epsilon: float = 100.0,
) -> PrivacyPlan:
    """Epsilon (and noise) a run would spend; exactly one of ``target_epsilon``/``noise_multiplier``.

    RDP is evaluated first (milliseconds): a run above ``max_epsilon`` protects no one and is refused
    before the PRV accountant, which takes seconds and gigabytes on such hopeless settings, is asked.
    """
    if (target_epsilon is None) == (noise_multiplier is None):
        raise UnprocessableError("Give exactly one of target_epsilon or noise_multiplier.")
    if learner_count < 2:
        raise UnprocessableError("Private training needs at least two consenting learners.")
    if not 0 < delta < 1 / learner_count:
        raise UnprocessableError(
            f"delta must be in (0, 1/learners) = (0, {1 / learner_count:.3g}) "
            "so that no single learner is exposed."
        )
    if expected_batch_size < 1 or epochs < 1:
        raise UnprocessableError("Batch size and epochs must be at least 1.")
    batches = math.ceil(learner_count / min(expected_batch_size, learner_count))
    sample_rate = 1 / batches
    steps = epochs * batches
    if noise_multiplier is None:
        from opacus.accountants.utils import get_noise_multiplier

        assert target_epsilon is not None
        if target_epsilon <= 0:
            raise UnprocessableError("target_epsilon must be positive.")
        try:
            noise_multiplier = float(
                get_noise_multiplier(
                    target_epsilon=target_epsilon,
                    target_delta=delta,
                    sample_rate=sample_rate,
                    steps=steps,
                    accountant=accountant,
                )
            )
        except ValueError as exc:
            raise UnprocessableError(f"Cannot reach epsilon={target_epsilon}: {exc}") from None
    elif noise_multiplier <= 0:
        raise UnprocessableError("noise_multiplier must be positive.")
    rdp_epsilon = epsilon_for(
        noise_multiplier=noise_multiplier, sample_rate=sample_rate, steps=steps, delta=delta, accountant="rdp"
    )
    if rdp_epsilon > max_epsilon:
        raise UnprocessableError(
            f"This run would spend epsilon {rdp_epsilon:.3g} (over {max_epsilon:g}), which protects no one; "
            "use more noise or fewer epochs.",
            epsilon=rdp_epsilon,
        )
    if accountant == "rdp":
        epsilon = rdp_epsilon
    else:
        epsilon = epsilon_for(
            noise_multiplier=noise_multiplier,
            sample_rate=sample_rate,
            steps=steps,
            delta=delta,
            accountant=accountant,
        )
    return PrivacyPlan(
        epsilon=epsilon,
        delta=delta,
        noise_multiplier=noise_multiplier,
        sample_rate=sample_rate,
        steps=steps,
        epochs=epochs,
        learner_count=learner_count,
        expected_batch_size=expected_batch_size,
        accountant=accountant,
    )
