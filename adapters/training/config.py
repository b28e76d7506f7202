"""Training configuration from ``TUTOR_TRAINING_*`` / ``TUTOR_PRIVACY_*`` environment variables.

Kept apart from the app's settings so the CLI and the worker can train without building the web app.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from adapters.training.privacy import Accountant
from adapters.training.trainer import DPTrainConfig

__all__ = ["TrainingSettings"]


def _opt_float(value: str | None) -> float | None:
    return float(value) if value not in (None, "") else None


@dataclass(frozen=True)
class TrainingSettings:
    """Defaults follow BELLE's LoRA recipe and a conservative school-scale privacy budget."""

    base_model: Path | None = None
    adapter_root: Path = Path("var/adapters")
    epochs: int = 3
    batch_learners: int = 64
    delta: float = 1e-5
    target_epsilon: float | None = 3.0
    noise_multiplier: float | None = None
    max_grad_norm: float = 1.0
    accountant: Accountant = "prv"
    learning_rate: float = 2e-3
    max_seq_len: int = 512
    examples_per_learner: int = 20
    global_epsilon_cap: float = 10.0
    learner_epsilon_cap: float = 6.0
    gate_margin: float = 0.02
    eval_max_new_tokens: int = 128

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> TrainingSettings:
        d = cls()
        accountant = env.get("TUTOR_TRAINING_ACCOUNTANT", d.accountant)
        if accountant not in ("prv", "rdp"):
            raise ValueError("TUTOR_TRAINING_ACCOUNTANT must be 'prv' or 'rdp'")
        base = env.get("TUTOR_TRAINING_BASE_MODEL")
        return cls(
            base_model=Path(base) if base else None,
            adapter_root=Path(env.get("TUTOR_TRAINING_ADAPTER_ROOT", str(d.adapter_root))),
            epochs=int(env.get("TUTOR_TRAINING_EPOCHS", d.epochs)),
            batch_learners=int(env.get("TUTOR_TRAINING_BATCH_LEARNERS", d.batch_learners)),
            delta=float(env.get("TUTOR_TRAINING_DELTA", d.delta)),
            target_epsilon=_opt_float(env.get("TUTOR_TRAINING_TARGET_EPSILON", str(d.target_epsilon))),
            noise_multiplier=_opt_float(env.get("TUTOR_TRAINING_NOISE_MULTIPLIER")),
            max_grad_norm=float(env.get("TUTOR_TRAINING_MAX_GRAD_NORM", d.max_grad_norm)),
            accountant=cast(Accountant, accountant),
            learning_rate=float(env.get("TUTOR_TRAINING_LEARNING_RATE", d.learning_rate)),
            max_seq_len=int(env.get("TUTOR_TRAINING_MAX_SEQ_LEN", d.max_seq_len)),
            examples_per_learner=int(env.get("TUTOR_TRAINING_EXAMPLES_PER_LEARNER", d.examples_per_learner)),
            global_epsilon_cap=float(env.get("TUTOR_PRIVACY_GLOBAL_EPSILON_CAP", d.global_epsilon_cap)),
            learner_epsilon_cap=float(env.get("TUTOR_PRIVACY_LEARNER_EPSILON_CAP", d.learner_epsilon_cap)),
            gate_margin=float(env.get("TUTOR_TRAINING_GATE_MARGIN", d.gate_margin)),
            eval_max_new_tokens=int(env.get("TUTOR_TRAINING_EVAL_MAX_NEW_TOKENS", d.eval_max_new_tokens)),
        )

    def train_config(self, *, seed: int | None = None) -> DPTrainConfig:
        """The trainer's config; a noise multiplier, when set, wins over the target epsilon."""
        return DPTrainConfig(
            epochs=self.epochs,
            expected_batch_size=self.batch_learners,
            delta=self.delta,
            target_epsilon=None if self.noise_multiplier is not None else self.target_epsilon,
            noise_multiplier=self.noise_multiplier,
            max_grad_norm=self.max_grad_norm,
            accountant=self.accountant,
            learning_rate=self.learning_rate,
            max_seq_len=self.max_seq_len,
            examples_per_learner=self.examples_per_learner,
            seed=seed,
        )
