"""Pre-flight accounting over learners, and the per-learner cap."""

from __future__ import annotations

import pytest

from adapters.training.bound import cap_per_learner
from adapters.training.dataset import BelleExample
from adapters.training.privacy import epsilon_for, plan_run
from tutor.errors import UnprocessableError


def _ex(i: int) -> BelleExample:
    return BelleExample(instruction=f"{i}+1=?", output=str(i + 1))


def test_cap_keeps_at_most_k_per_learner_and_drops_empty_learners() -> None:
    data = {"a": [_ex(i) for i in range(50)], "b": [_ex(1), _ex(2)], "c": []}
    pools = cap_per_learner(data, 5, seed=3)
    assert pools.learner_count == 2
    assert sorted(len(p) for p in pools.pools) == [2, 5]
    assert pools.example_count == 7
    assert set(pools.pools[0]) <= set(data["a"])


def test_a_learners_subset_does_not_depend_on_other_learners() -> None:
    a = [_ex(i) for i in range(30)]
    alone = cap_per_learner({"a": a}, 4, seed=1)
    with_others = cap_per_learner({"a": a, "z": [_ex(99)] * 10}, 4, seed=1)
    assert alone.pools[0] == with_others.pools[0]
    with pytest.raises(ValueError):
        cap_per_learner({"a": a}, 0)


def test_plan_matches_opacus_loader_arithmetic_and_accountant() -> None:
    plan = plan_run(
        learner_count=1000,
        expected_batch_size=64,
        epochs=3,
        delta=1e-5,
        accountant="rdp",
        noise_multiplier=1.1,
    )
    assert plan.sample_rate == pytest.approx(1 / 16)  # ceil(1000 / 64) = 16 batches per epoch
    assert plan.steps == 48
    assert plan.epsilon == pytest.approx(
        epsilon_for(noise_multiplier=1.1, sample_rate=1 / 16, steps=48, delta=1e-5, accountant="rdp")
    )
    more = plan_run(
        learner_count=1000,
        expected_batch_size=64,
        epochs=6,
        delta=1e-5,
        accountant="rdp",
        noise_multiplier=1.1,
    )
    assert more.epsilon > plan.epsilon


def test_target_epsilon_is_reached_from_below() -> None:
    plan = plan_run(learner_count=2000, expected_batch_size=64, epochs=3, delta=1e-5, target_epsilon=2.0)
    assert plan.accountant == "prv"
    assert 1.9 <= plan.epsilon <= 2.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learner_count": 100, "delta": 0.02, "noise_multiplier": 1.0}, "delta must be in"),
        ({"learner_count": 1, "delta": 1e-5, "noise_multiplier": 1.0}, "at least two"),
        ({"learner_count": 100, "delta": 1e-5}, "exactly one"),
        ({"learner_count": 100, "delta": 1e-5, "target_epsilon": 1e-9}, "Cannot reach"),
        ({"learner_count": 100, "delta": 1e-5, "noise_multiplier": 0.05}, "protects no one"),
    ],
)
def test_refusals_are_unprocessable(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(UnprocessableError, match=message):
        plan_run(expected_batch_size=10, epochs=1, accountant="rdp", **kwargs)  # type: ignore[arg-type]
