"""Fresh exercises per knowledge point, each solved and checked by the engine before it is returned.

``generate_items`` asks the knowledge point's template for drafts, solves each with
:func:`tutor.math.solver.solve_problem`, publishes the engine's answer only when it matches the
template's own, and attaches a difficulty prior computed from features of the worked solution.
"""

from __future__ import annotations

import math
import random
import re

import sympy

from tutor.errors import UnprocessableError
from tutor.math.answers import format_value, read_answer
from tutor.math.grading import grade_answer_sync
from tutor.math.parsing import parse_math
from tutor.math.solver import solve_problem
from tutor.math.templates.base import Draft, GeneratedItem, difficulty_prior, grading_task
from tutor.math.templates.generators import TEMPLATES

__all__ = ["KNOWLEDGE_POINT_CODES", "MAX_COUNT", "GeneratedItem", "generate_items", "verify_draft"]

KNOWLEDGE_POINT_CODES: tuple[str, ...] = tuple(TEMPLATES)
MAX_COUNT = 200
_MAX_TRIES = 12


def _features(draft: Draft, steps: int) -> dict[str, float]:
    ints = [abs(int(n)) for n in re.findall(r"\d+", draft.problem)]
    return {
        "steps": float(steps),
        "max_coefficient": float(max(ints, default=0)),
        "fractions": float("/" in draft.problem or "frac" in (draft.stem_latex or "")),
        "decimals": float(bool(re.search(r"\d\.\d", draft.problem))),
        "negatives": float(bool(re.search(r"(^|[(=,*/\s])-\s*\d", draft.problem))),
        "level": float(draft.level),
    }


def _stem_latex(draft: Draft) -> str:
    if draft.stem_latex:
        return draft.stem_latex
    parsed = parse_math(draft.problem, evaluate=False)
    return ", ".join(sympy.latex(item) for item in parsed.items)


def verify_draft(code: str, draft: Draft) -> GeneratedItem | None:
    """Solve the draft with the engine; the item exists only when the engine agrees with the template."""
    try:
        solution = solve_problem(draft.problem, task=draft.task, method=draft.method)
        answer = solution.answer
        if solution.answer_kind != draft.answer_kind:
            answer = format_value(read_answer(solution.answer, draft.answer_kind))
        task = grading_task(draft)
        if not grade_answer_sync(draft.expected, draft.answer_kind, answer).correct:
            return None
        # the published answer must pass the item's own form check, and the stem echoed back must not
        if not grade_answer_sync(
            answer, draft.answer_kind, answer, task=task, question=draft.stem_en
        ).correct:
            return None
    except (UnprocessableError, ValueError, TypeError):
        return None
    features = _features(draft, len(solution.steps) - 1)
    rank = KNOWLEDGE_POINT_CODES.index(code) / (len(KNOWLEDGE_POINT_CODES) - 1)
    return GeneratedItem(
        stem_latex=_stem_latex(draft),
        stem_text_zh=draft.stem_zh,
        stem_text_en=draft.stem_en,
        answer=answer,
        answer_kind=draft.answer_kind,
        knowledge_points=[code],
        difficulty_prior=difficulty_prior(rank, features),
        features=features,
        task=task,
    )


def _levels_for(target: float | None, rng: random.Random) -> list[int]:
    if target is None:
        return [rng.randint(0, 2)]
    centre = 0 if target < -1.0 else 1 if target < 1.0 else 2
    return sorted({centre, max(0, centre - 1), min(2, centre + 1)})


def generate_items(
    kp_code: str, count: int, seed: int | None = None, target_difficulty: float | None = None
) -> list[GeneratedItem]:
    """``count`` distinct verified items for ``kp_code``; with a target, the closest of a few candidates."""
    template = TEMPLATES.get(kp_code)
    if template is None:
        raise UnprocessableError(f"No exercise template for knowledge point '{kp_code}'.", kp_code=kp_code)
    if not 1 <= count <= MAX_COUNT:
        raise UnprocessableError(f"count must be between 1 and {MAX_COUNT}.")
    if target_difficulty is not None and not math.isfinite(target_difficulty):
        raise UnprocessableError("target_difficulty must be a finite number.")
    rng = random.Random(seed)
    items: list[GeneratedItem] = []
    seen: set[str] = set()
    attempts = 0
    while len(items) < count and attempts < count * _MAX_TRIES:
        attempts += 1
        candidates = []
        for level in _levels_for(target_difficulty, rng):
            item = verify_draft(kp_code, template(rng, level))
            if item is not None and item.stem_text_en not in seen:
                candidates.append(item)
        if not candidates:
            continue
        if target_difficulty is not None:
            best = min(candidates, key=lambda it: abs(it.difficulty_prior - target_difficulty))
        else:
            best = candidates[0]
        seen.add(best.stem_text_en)
        items.append(best)
    if len(items) < count:
        raise UnprocessableError(
            f"Could only make {len(items)} distinct verified items for '{kp_code}'; ask for fewer.",
            kp_code=kp_code,
        )
    return items
