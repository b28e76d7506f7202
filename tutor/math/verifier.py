"""Check someone else's worked solution (typically a language model's) against the problem.

Each step is compared with the problem itself, not only with the previous step, so one slip does
not poison the rest: a step is ``valid`` when it describes the same solutions (equations,
inequalities, systems) or the same value (expressions), ``invalid`` when it does not, and
``unparseable`` when it is prose or math we cannot read. The first invalid step is named, and the
final answer is graded against the engine's own answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import msgspec
import sympy

from tutor.errors import UnprocessableError
from tutor.math.grading import grade_answer_sync
from tutor.math.parsing import MAX_INPUT_CHARS, _split_top, parse_math
from tutor.math.solver import detect_task, solve_problem
from tutor.math.spoken import read_answer_text
from tutor.math.steps import _merge_subscripts, solution_set, states_equivalent

__all__ = ["MAX_STEPS", "StepVerdict", "StepVerification", "verify_steps", "verify_steps_async"]

MAX_STEPS = 60


class StepVerdict(msgspec.Struct, frozen=True):
    index: int
    text: str
    verdict: str  # valid | invalid | unparseable
    reason: str


class StepVerification(msgspec.Struct, frozen=True):
    """Verdicts for every step; ``first_invalid_step`` is a 0-based index into ``steps``."""

    problem_kind: str
    steps: list[StepVerdict]
    first_invalid_step: int | None
    all_steps_valid: bool
    final_answer_correct: bool | None
    expected_answer: str
    answer_kind: str


def _math_part(step: str) -> str:
    """The math of one step; prose around it is read with the shared vocabulary (lenient), so
    words that carry math (负, 等于, 或 ...) are read and never dropped."""
    text = step.strip()
    text = re.sub(r"^\s*(?:step\s*\d+|第.步|\d+[.)、])\s*[:：.]?\s*", "", text, flags=re.IGNORECASE)
    text = text.strip("$ .。")
    if not text:
        return ""
    try:
        return read_answer_text(text)
    except UnprocessableError:
        return text


_WRONG = "Not equivalent to the problem: a mistake is here."
_EMPTY_TEXT = re.compile(
    r"\\varnothing|\\emptyset|∅|无解|无实数解|没有实数根|no (?:real )?solutions?", re.IGNORECASE
)
_REALS_TEXT = re.compile(r"\\mathbb\{R\}|all real numbers|任意实数|全体实数", re.IGNORECASE)


def _special_set(step: str) -> sympy.Set | None:
    """Steps that state 'no solution' or 'every real number' in words or symbols."""
    if _EMPTY_TEXT.search(step):
        return sympy.S.EmptySet
    if _REALS_TEXT.search(step):
        return sympy.S.Reals
    return None


def _implied(claim: tuple[sympy.Eq, ...], solution: sympy.Set, variables: list[sympy.Symbol]) -> bool:
    """A partial step of a system (one derived equation) is right when the solution satisfies it."""
    if not isinstance(solution, sympy.FiniteSet) or len(solution) != 1:
        return False
    (point,) = tuple(solution)
    values = dict(zip(variables, point, strict=True))
    return all(bool(sympy.simplify(e.lhs.subs(values) - e.rhs.subs(values)) == 0) for e in claim)


def _part_of_solutions(target: Any, claim: Any, variables: list[sympy.Symbol]) -> bool:
    """``x_1 = 2`` on its own line, or one factor ``x - 2 = 0``: right, but only part of the answer.

    Only for equations with finitely many solutions; for inequalities a sub-interval is a mistake.
    """
    if not isinstance(claim, sympy.Eq | sympy.Or):
        return False
    whole, part = solution_set(target, variables), solution_set(claim, variables)
    return (
        isinstance(whole, sympy.FiniteSet)
        and isinstance(part, sympy.FiniteSet)
        and len(part) > 0
        and bool(part.is_subset(whole))
    )


def _statement(parsed_items: tuple[sympy.Basic, ...], mode: str, expr_text: str) -> Any:
    if mode == "expression":
        item = parsed_items[-1] if len(parsed_items) == 1 else None
        if isinstance(item, sympy.Eq):  # "3x + 2x = 5x": the claim is the right-hand side
            return item.rhs
        if isinstance(item, sympy.And) and all(isinstance(a, sympy.Eq) for a in item.args):
            return item.args[-1].rhs
        if isinstance(item, sympy.Expr):
            return item
        return None
    if mode == "system":
        eqs = [i for i in parsed_items if isinstance(i, sympy.Eq)]
        return tuple(eqs) if len(eqs) == len(parsed_items) and eqs else None
    if len(parsed_items) > 1:
        if all(isinstance(i, sympy.Eq) for i in parsed_items):
            return sympy.Or(*parsed_items)
        return None
    item = parsed_items[0]
    return item if isinstance(item, sympy.Rel | sympy.And) else None


def _problem_state(problem: str) -> tuple[Any, list[sympy.Symbol], str]:
    task, math_text = detect_task(problem)
    pieces = [p for p in _split_top(math_text) if p]
    definitions = [re.match(r"^\s*([a-zA-Z])\s*\(\s*([a-z])\s*\)\s*=(?!=)\s*(.+)$", p) for p in pieces]
    if any(definitions) and task != "derivative":
        reference = solve_problem(problem)
        return parse_math(reference.answer).items[0], [], "expression"
    parsed = parse_math(math_text)
    items = parsed.items
    if len(items) == 2 and all(isinstance(i, sympy.Eq) for i in items):
        syms = sorted(set().union(*[i.free_symbols for i in items]), key=lambda s: s.name)
        if len(syms) == 2:
            return tuple(items), syms, "system"
    assignments = {
        i.lhs: i.rhs
        for i in items
        if isinstance(i, sympy.Eq) and isinstance(i.lhs, sympy.Symbol) and not i.rhs.free_symbols
    }
    exprs = [i for i in items if isinstance(i, sympy.Expr)]
    if assignments and exprs:
        return exprs[0].subs(assignments), [], "expression"
    if len(items) >= 2 and all(isinstance(i, sympy.Rel) for i in items):
        joined = sympy.And(*items)
        return joined, sorted(joined.free_symbols, key=lambda s: s.name), "statement"
    item = items[0]
    if isinstance(item, sympy.Rel | sympy.And):
        return item, sorted(item.free_symbols, key=lambda s: s.name), "statement"
    if task == "derivative" and isinstance(item, sympy.Expr):
        x = min(item.free_symbols, key=lambda s: s.name, default=sympy.Symbol("x"))
        return sympy.diff(item, x), [], "expression"
    return item, [], "expression"


def _widening(target: Any) -> bool:
    """Problems whose honest steps may add roots: a denominator or a root containing the unknown."""
    if not isinstance(target, sympy.Basic):
        return False
    syms = target.free_symbols
    for node in sympy.preorder_traversal(target):
        if isinstance(node, sympy.Pow) and node.base.free_symbols & syms and not node.exp.is_nonnegative:
            return True
        if isinstance(node, sympy.Pow) and node.base.free_symbols & syms and not node.exp.is_Integer:
            return True
    return False


def _consequence(target: Any, claim: Any, variables: list[sympy.Symbol]) -> bool:
    """An unsolved equation that follows from the problem (clearing denominators, squaring)."""
    if not isinstance(claim, sympy.Eq) or not _widening(target):
        return False
    if isinstance(claim.lhs, sympy.Symbol) and not claim.rhs.free_symbols:
        return False  # a stated root must be a real root
    whole, part = solution_set(target, variables), solution_set(claim, variables)
    return bool(whole.is_subset(part))


def verify_steps(problem: str, steps: Sequence[str], final_answer: str | None) -> StepVerification:
    """Mark each step valid / invalid / unparseable and grade ``final_answer`` (when given)."""
    if len(problem) > MAX_INPUT_CHARS:
        raise UnprocessableError(f"The problem is too long (limit {MAX_INPUT_CHARS} characters).")
    if len(steps) > MAX_STEPS:
        raise UnprocessableError(f"Too many steps ({len(steps)}, limit {MAX_STEPS}).")
    reference = solve_problem(problem)
    target, variables, mode = _problem_state(problem)
    verdicts: list[StepVerdict] = []
    first_invalid: int | None = None
    for index, step in enumerate(steps):
        if len(step) > MAX_INPUT_CHARS:
            verdicts.append(StepVerdict(index, step[:80], "unparseable", "The step is too long to check."))
            continue
        text = _math_part(step)
        special = _special_set(step)
        if special is not None and mode == "statement":
            same = states_equivalent(target, special, variables, "statement")
            verdict = "valid" if same else "invalid"
            verdicts.append(
                StepVerdict(index, step, verdict, "Equivalent to the problem." if same else _WRONG)
            )
            if not same and first_invalid is None:
                first_invalid = index
            continue
        try:
            claim = _statement(parse_math(text).items, mode, text) if text else None
        except UnprocessableError as exc:
            verdicts.append(StepVerdict(index, step, "unparseable", exc.message))
            continue
        if claim is None:
            verdicts.append(StepVerdict(index, step, "unparseable", "No checkable statement in this step."))
            continue
        claim = _merge_subscripts(claim)
        partial = widened = False
        try:
            if mode == "system" and len(claim) < 2:
                ok = partial = _implied(claim, solution_set(target, variables), variables)
            else:
                ok = states_equivalent(
                    target, claim, variables, "expression" if mode == "expression" else "statement"
                )
                if not ok and mode == "statement":
                    ok = partial = _part_of_solutions(target, claim, variables)
                if not ok and mode == "statement" and _consequence(target, claim, variables):
                    ok = widened = True
        except (TypeError, ValueError, NotImplementedError, AttributeError):
            verdicts.append(
                StepVerdict(index, step, "unparseable", "This step cannot be compared with the problem.")
            )
            continue
        if ok:
            reason = (
                "Follows from the problem; clearing denominators or squaring can add roots, so check them."
                if widened
                else "Follows from the problem (part of its solution)."
                if partial
                else "Equivalent to the problem."
            )
            verdicts.append(StepVerdict(index, step, "valid", reason))
        else:
            verdicts.append(
                StepVerdict(index, step, "invalid", "Not equivalent to the problem: a mistake is here.")
            )
            if first_invalid is None:
                first_invalid = index
    final_ok: bool | None = None
    if final_answer is not None:
        final_ok = grade_answer_sync(reference.answer, reference.answer_kind, final_answer).correct
    return StepVerification(
        problem_kind=reference.kind,
        steps=verdicts,
        first_invalid_step=first_invalid,
        all_steps_valid=first_invalid is None and all(v.verdict == "valid" for v in verdicts),
        final_answer_correct=final_ok,
        expected_answer=reference.answer,
        answer_kind=reference.answer_kind,
    )


async def verify_steps_async(
    problem: str, steps: Sequence[str], final_answer: str | None
) -> StepVerification:
    """Sandboxed :func:`verify_steps` (bounded time and memory)."""
    if len(steps) > MAX_STEPS:
        raise UnprocessableError(f"Too many steps ({len(steps)}, limit {MAX_STEPS}).")
    from tutor.math.sandbox import run_sandboxed

    return await run_sandboxed(verify_steps, problem, list(steps), final_answer)
