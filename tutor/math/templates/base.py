"""Shapes shared by the exercise templates: a draft from a template, the verified item, the prior."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import msgspec

__all__ = ["Draft", "GeneratedItem", "difficulty_prior", "grading_task", "latex_arith", "plain"]


@dataclass(frozen=True, slots=True)
class Draft:
    """What a template proposes; the engine solves ``problem`` and must agree with ``expected``."""

    problem: str
    task: str | None
    answer_kind: str
    expected: str
    stem_zh: str
    stem_en: str
    stem_latex: str | None = None
    method: str | None = None
    level: int = 1


class GeneratedItem(msgspec.Struct, frozen=True):
    """A fresh, engine-verified exercise; ``answer`` is in the engine's canonical form."""

    stem_latex: str
    stem_text_zh: str
    stem_text_en: str
    answer: str
    answer_kind: str
    knowledge_points: list[str]
    difficulty_prior: float
    features: dict[str, float]
    task: str | None = None
    """What the item asks (solve, calculate, expand, ...): grading checks the answer's form for it."""


def plain(text: str) -> str:
    """Readable plain text for a stem: ``3*x`` -> ``3x``, ``**`` -> ``^``."""
    text = text.replace("**", "^")
    text = re.sub(r"(\d)\*([a-z(])", r"\1\2", text)
    text = re.sub(r"\)\*\(", ")(", text)
    text = re.sub(r"\s*([+\-=<>])\s*", r" \1 ", text).replace("< =", "<=").replace("> =", ">=")
    text = re.sub(r"\(\s+-\s+", "(-", text)
    text = re.sub(r"^\s*-\s+", "-", text)
    text = re.sub(r"([=<>,(])\s+-\s+(?=[\dx(])", r"\1 -", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = text.replace("+ - ", "- ").replace("- - ", "+ ")
    return re.sub(r"(?<![\d.])1([a-z])", r"\1", text)


def latex_arith(text: str) -> str:
    """LaTeX for a plain arithmetic stem: ``(-3/4) / 2/5 * 3`` -> fractions, ÷ and ×."""
    text = re.sub(r"(?<![\w)])(\d+)/(\d+)", r"\\frac{\1}{\2}", text)
    text = text.replace(" / ", r" \div ").replace(" * ", r" \times ").replace("*", r" \times ")
    text = re.sub(r"\^(\d+)", r"^{\1}", text).replace("%", r"\%")
    return text.replace("(", r"\left(").replace(")", r"\right)")


def difficulty_prior(kp_rank: float, features: dict[str, float]) -> float:
    """Logit-scale prior (about -3..3) from the knowledge point's place in the curriculum and features.

    Weights are hand-set, to be replaced by the IRT fit once attempts exist: later topics, more steps,
    bigger coefficients, fractions, decimals and negative numbers all make an item harder.
    """
    logit = (
        -3.1
        + 3.4 * kp_rank
        + 0.45 * features.get("level", 0.0)
        + 0.22 * max(0.0, features["steps"] - 2)
        + 0.45 * math.log10(1 + features["max_coefficient"])
        + 0.45 * features["fractions"]
        + 0.35 * features["decimals"]
        + 0.25 * features["negatives"]
    )
    return round(max(-3.0, min(3.0, logit)), 2)


def grading_task(draft: Draft) -> str:
    """The task an item states, from its draft: the solver task, else solve (equations, inequalities,
    systems) or calculate (a number)."""
    if draft.task == "simplify" and draft.stem_en.lower().startswith("expand"):
        return "expand"
    if draft.task in ("expand", "factor", "simplify", "evaluate", "derivative", "reduce"):
        return draft.task
    return "solve" if draft.answer_kind in ("equation", "inequality", "pair", "set") else "calculate"
