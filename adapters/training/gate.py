"""The evaluation gate: a candidate adapter may not be worse than the active one by more than a margin.

Accuracy, BLEU-4 and ROUGE-L are in [0, 1] and compared with an absolute margin; held-out loss has no
fixed scale and is compared relatively (``candidate <= active * (1 + margin)``). With no active adapter
the candidate passes: the bare base model is the fallback either way.
"""

from __future__ import annotations

import msgspec

from adapters.training.evaluate import EvalScores

__all__ = ["GateDecision", "passes_gate"]


class GateDecision(msgspec.Struct, frozen=True, kw_only=True):
    passed: bool
    margin: float
    reasons: list[str] = msgspec.field(default_factory=list)


def passes_gate(candidate: EvalScores, active: EvalScores | None, margin: float) -> GateDecision:
    """Compare every metric; each regression beyond ``margin`` is one human-readable reason."""
    if margin < 0:
        raise ValueError("margin must be >= 0")
    if active is None:
        return GateDecision(passed=True, margin=margin)
    reasons: list[str] = []
    for name in ("accuracy", "bleu4", "rouge_l"):
        cand, act = getattr(candidate, name), getattr(active, name)
        if cand < act - margin:
            reasons.append(
                f"{name} {cand:.4f} is below the active adapter's {act:.4f} by more than {margin}."
            )
    if candidate.heldout_loss is not None and active.heldout_loss is not None:
        limit = active.heldout_loss * (1 + margin)
        if candidate.heldout_loss > limit:
            reasons.append(
                f"held-out loss {candidate.heldout_loss:.4f} exceeds the active adapter's "
                f"{active.heldout_loss:.4f} by more than {margin:.0%}."
            )
    return GateDecision(passed=not reasons, margin=margin, reasons=reasons)
