"""Checks that catch silent DP-LoRA failure (opacus issue 820: LoRA never updated while epsilon grew).

A run can spend budget and still produce a useless adapter: weights that never moved, a loss that
never fell, or an adapter file whose parameter names do not match (saved from the Opacus wrapper, so
``PeftModel`` silently loads nothing). Each check below targets one of these and reports numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

__all__ = ["SanityReport", "max_abs_delta", "snapshot_lora"]

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class SanityReport:
    """Evidence that training did something and the saved adapter is the trained one."""

    max_lora_delta: float
    loss_before: float
    loss_after: float
    reload_max_logit_diff: float
    adapter_effect: float
    reload_tolerance: float = 1e-4

    @property
    def weights_changed(self) -> bool:
        return self.max_lora_delta > 0.0

    @property
    def loss_decreased(self) -> bool:
        return self.loss_after < self.loss_before

    @property
    def reload_matches(self) -> bool:
        """The reloaded adapter gives the trained logits, and differs from the bare base model."""
        return (
            self.reload_max_logit_diff <= self.reload_tolerance
            and self.adapter_effect > self.reload_tolerance
        )

    @property
    def passed(self) -> bool:
        return self.weights_changed and self.loss_decreased and self.reload_matches

    def failures(self) -> list[str]:
        """Human-readable reasons, empty when every check passed."""
        reasons: list[str] = []
        if not self.weights_changed:
            reasons.append("LoRA weights did not change during training (max |delta| = 0).")
        if not self.loss_decreased:
            reasons.append(
                f"Training loss did not decrease ({self.loss_before:.4f} -> {self.loss_after:.4f})."
            )
        if not self.reload_matches:
            reasons.append(
                "Reloaded adapter does not reproduce the trained model "
                f"(max logit diff {self.reload_max_logit_diff:.2e}, "
                f"effect vs base {self.adapter_effect:.2e})."
            )
        return reasons


def snapshot_lora(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Copies of every LoRA parameter, keyed without Opacus/peft wrapper prefixes."""
    return {
        name.removeprefix("_module."): param.detach().clone()
        for name, param in model.named_parameters()
        if "lora_" in name
    }


def max_abs_delta(before: Mapping[str, torch.Tensor], after: Mapping[str, torch.Tensor]) -> float:
    """Largest absolute change of any LoRA weight between two snapshots."""
    if before.keys() != after.keys() or not before:
        raise ValueError("snapshots must hold the same, non-empty set of LoRA parameters")
    return max(float((after[k] - before[k]).abs().max()) for k in before)
