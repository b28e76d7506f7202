"""BELLE's LoRA defaults and the attention projections to adapt, per base architecture."""

from __future__ import annotations

from dataclasses import dataclass

from tutor.errors import UnprocessableError

__all__ = ["LoraSpec", "target_modules_for"]

_TARGETS: dict[str, tuple[str, ...]] = {
    "llama": ("q_proj", "k_proj", "v_proj", "o_proj"),
    "mistral": ("q_proj", "k_proj", "v_proj", "o_proj"),
    "qwen2": ("q_proj", "k_proj", "v_proj", "o_proj"),
    "bloom": ("query_key_value",),
}


@dataclass(frozen=True)
class LoraSpec:
    """BELLE's published LoRA recipe: r=16, alpha=32, dropout 0.05 on the attention projections."""

    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: tuple[str, ...] | None = None


def target_modules_for(model_type: str, spec: LoraSpec) -> tuple[str, ...]:
    """The spec's explicit targets, else the attention projections of a known architecture."""
    if spec.target_modules:
        return spec.target_modules
    try:
        return _TARGETS[model_type]
    except KeyError:
        raise UnprocessableError(
            f"No default LoRA targets for model type '{model_type}'; set target_modules explicitly."
        ) from None
