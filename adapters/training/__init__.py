"""Privacy-preserving training of the math LoRA: BELLE-format data, DP-SGD (Opacus + peft), gate.

Heavy libraries (torch, transformers, peft, opacus) are imported inside functions, so importing this
package is cheap. The privacy guarantee the reported epsilon gives is stated in ``GUARANTEE.md``.
"""

from __future__ import annotations

from adapters.training.bound import LearnerPools, cap_per_learner
from adapters.training.config import TrainingSettings
from adapters.training.dataset import BelleExample, DatasetLimits, dataset_hash, dump_jsonl, load_jsonl
from adapters.training.evaluate import EvalScores, evaluate_generations, score_adapter
from adapters.training.gate import GateDecision, passes_gate
from adapters.training.privacy import PrivacyPlan, plan_run
from adapters.training.sanity import SanityReport
from adapters.training.scrub import Scrubber
from adapters.training.trainer import DPTrainConfig, TrainProgress, TrainResult, train_dp_lora

__all__ = [
    "BelleExample",
    "DPTrainConfig",
    "DatasetLimits",
    "EvalScores",
    "GateDecision",
    "LearnerPools",
    "PrivacyPlan",
    "SanityReport",
    "Scrubber",
    "TrainProgress",
    "TrainResult",
    "TrainingSettings",
    "cap_per_learner",
    "dataset_hash",
    "dump_jsonl",
    "evaluate_generations",
    "load_jsonl",
    "passes_gate",
    "plan_run",
    "score_adapter",
    "train_dp_lora",
]
