"""A real DP-SGD LoRA run on a tiny LLaMA/BLOOM: accounting, clean adapter, and checks that can fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from safetensors import safe_open

from adapters.training.bound import LearnerPools, cap_per_learner
from adapters.training.evaluate import score_adapter
from adapters.training.gate import passes_gate
from adapters.training.testing import (
    arithmetic_examples,
    arithmetic_learners,
    build_tiny_base_model,
    corpus_texts,
)
from adapters.training.trainer import DPTrainConfig, TrainProgress, TrainResult, train_dp_lora
from tutor.math.grading import grade_answer_sync

CONFIG = DPTrainConfig(
    epochs=3,
    expected_batch_size=32,
    delta=1e-3,
    target_epsilon=8.0,
    learning_rate=1e-2,
    max_seq_len=64,
    examples_per_learner=3,
    accountant="prv",
    epsilon_every=4,
    seed=1,
)


def check(candidate: str, reference: str) -> bool:
    return grade_answer_sync(reference, "number", candidate).correct


@pytest.fixture(scope="module")
def pools() -> LearnerPools:
    return cap_per_learner(arithmetic_learners(128, 5, seed=0), CONFIG.examples_per_learner, seed=0)


@pytest.fixture(scope="module")
def llama_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = corpus_texts(arithmetic_examples(300, seed=42))
    return build_tiny_base_model(tmp_path_factory.mktemp("llama"), texts, arch="llama")


PROGRESS: list[TrainProgress] = []


@pytest.fixture(scope="module")
def trained(llama_dir: Path, pools: LearnerPools, tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    PROGRESS.clear()
    return train_dp_lora(
        llama_dir, pools, CONFIG, tmp_path_factory.mktemp("adapter"), progress=PROGRESS.append
    )


@pytest.fixture(scope="module")
def frozen(llama_dir: Path, pools: LearnerPools, tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    """Issue 820 reproduced on purpose: budget is spent, but the LoRA never moves (learning rate 0)."""
    config = DPTrainConfig(**{**CONFIG.__dict__, "learning_rate": 0.0, "epochs": 1})
    return train_dp_lora(llama_dir, pools, config, tmp_path_factory.mktemp("frozen"))


def test_real_run_passes_all_three_sanity_checks(trained: TrainResult) -> None:
    sanity = trained.sanity
    assert sanity.weights_changed, sanity
    assert sanity.loss_decreased, sanity
    assert sanity.reload_matches, sanity
    assert sanity.passed and sanity.failures() == []


def test_spent_epsilon_is_the_planned_one(trained: TrainResult) -> None:
    assert trained.plan.learner_count == 128
    assert trained.steps == trained.plan.steps == 12  # 3 epochs x ceil(128 / 32)
    assert trained.epsilon_spent == pytest.approx(trained.plan.epsilon, rel=1e-3)
    assert trained.epsilon_spent <= CONFIG.target_epsilon  # type: ignore[operator]
    assert [p.step for p in PROGRESS] == [4, 8, 12]
    epsilons = [p.epsilon for p in PROGRESS]
    assert epsilons == sorted(epsilons) and epsilons[-1] == pytest.approx(trained.epsilon_spent)


def test_adapter_is_saved_with_clean_names_and_belle_defaults(trained: TrainResult) -> None:
    config = json.loads((trained.adapter_dir / "adapter_config.json").read_text())
    assert (config["r"], config["lora_alpha"], config["lora_dropout"]) == (16, 32, 0.05)
    assert sorted(config["target_modules"]) == ["k_proj", "o_proj", "q_proj", "v_proj"]
    with safe_open(str(trained.adapter_dir / "adapter_model.safetensors"), "pt") as f:
        keys = list(f.keys())
    assert keys and all("_module" not in k and "lora_" in k for k in keys)


def test_frozen_lora_fails_the_sanity_checks(frozen: TrainResult) -> None:
    assert frozen.epsilon_spent > 0  # the budget was spent all the same
    sanity = frozen.sanity
    assert not sanity.weights_changed
    assert not sanity.loss_decreased
    assert not sanity.reload_matches  # B stays zero: the adapter has no effect on the base model
    assert not sanity.passed
    assert len(sanity.failures()) == 3


def test_gate_blocks_the_worse_adapter(llama_dir: Path, trained: TrainResult, frozen: TrainResult) -> None:
    heldout = arithmetic_examples(6, seed=7)
    good = score_adapter(llama_dir, trained.adapter_dir, heldout, check, max_new_tokens=12, max_seq_len=64)
    bad = score_adapter(llama_dir, frozen.adapter_dir, heldout, check, max_new_tokens=12, max_seq_len=64)
    assert good.heldout_loss is not None and bad.heldout_loss is not None
    assert good.heldout_loss < bad.heldout_loss
    assert not passes_gate(bad, good, margin=0.02).passed
    assert passes_gate(good, bad, margin=0.02).passed


def test_bloom_uses_query_key_value(tmp_path: Path, pools: LearnerPools) -> None:
    base = build_tiny_base_model(tmp_path / "bloom", corpus_texts(arithmetic_examples(100)), arch="bloom")
    config = DPTrainConfig(**{**CONFIG.__dict__, "epochs": 1, "learning_rate": 5e-2, "accountant": "rdp"})
    result = train_dp_lora(base, pools, config, tmp_path / "adapter")
    assert result.target_modules == ("query_key_value",)
    assert result.sanity.weights_changed and result.sanity.reload_matches


def test_empty_poisson_batches_still_take_a_noise_step(llama_dir: Path, tmp_path: Path) -> None:
    """One learner per step in expectation: some steps sample nobody, and they are stepped and counted."""
    few = cap_per_learner(arithmetic_learners(12, 2, seed=3), 2, seed=0)
    config = DPTrainConfig(**{**CONFIG.__dict__, "expected_batch_size": 1, "epochs": 1, "accountant": "rdp"})
    result = train_dp_lora(llama_dir, few, config, tmp_path / "adapter")
    assert result.steps == result.plan.steps == 12
    assert result.empty_batches > 0
    assert result.epsilon_spent == pytest.approx(result.plan.epsilon, rel=1e-3)
    assert result.sanity.weights_changed and result.sanity.reload_matches
