"""Check a whole model solution: every claim of every step, then the final answer.

The rule a learner relies on: a solution is served as checked only when its final answer is right,
no claim is wrong, and every step that states a relation was read. A step of pure prose
("先移项") carries no claim and is marked ``explanation``; a step with ``=`` that cannot be read is
``unparseable`` and blocks the solution, because an unreadable step may be a wrong one.

Identities (``3x + 2x = 5x``, ``7 - 3 = 4``) are rewrites, not statements about the problem's unknown:
true ones are valid, false arithmetic (``7 - 3 = 5``) is invalid. Everything else goes to the math
engine's verifier (:func:`tutor.math.verifier.verify_steps`), which compares each claim with the
problem itself.

Runs synchronously inside the math sandbox (``run_sandboxed(check_solution_sync, ...)``).
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import msgspec
import sympy

from adapters.llm.parsing import extract_boxed, parse_solution
from tutor.errors import UnprocessableError
from tutor.math.parsing import parse_math
from tutor.math.steps import solution_set
from tutor.math.verifier import (
    MAX_STEPS,
    StepVerdict,
    StepVerification,
    _math_part,
    _problem_state,
    verify_steps,
)
from tutor.tutoring.reading import Claim, has_relation, read_claims

__all__ = ["SolutionCheck", "check_solution_sync", "final_answer_of", "solution_steps"]

_ANSWER_MARK = re.compile(
    r"^\s*(?:答案|最终答案|答|所以|因此|故|解得|therefore|so|thus|hence|the answer is|answer|final answer)"
    r"\s*[:：,，]?",
    re.IGNORECASE,
)


class SolutionCheck(msgspec.Struct, frozen=True):
    """Verdicts per step (``valid | invalid | unparseable | explanation``) and the overall decision."""

    verification: StepVerification
    final_answer: str | None
    accepted: bool
    first_unreadable_step: int | None


def solution_steps(text: str) -> list[str]:
    return parse_solution(text).steps[:MAX_STEPS]


def final_answer_of(text: str, steps: list[str]) -> str | None:
    """The ``\\boxed{}`` answer; else the last claim of a closing line that announces the answer
    (``所以 x = 2``, ``Therefore x = 5``), since small models often forget the box."""
    boxed = extract_boxed(text)
    if boxed is not None:
        return boxed
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines or not _ANSWER_MARK.match(lines[-1]):
        return None
    claims = read_claims(lines[-1])
    return claims[-1].text if claims else None


def _pairs(item: Any) -> list[tuple[Any, Any]] | None:
    if isinstance(item, sympy.Eq):
        return [(item.lhs, item.rhs)]
    if isinstance(item, sympy.And) and all(isinstance(a, sympy.Eq) for a in item.args):
        return [(a.lhs, a.rhs) for a in item.args]
    return None


def _identity(claim: Claim) -> str | None:
    """``valid`` for a true identity, ``invalid`` for false arithmetic, None for a real claim."""
    if not claim.relation:
        return None
    try:
        items = parse_math(_math_part(claim.text)).items
    except UnprocessableError:
        return None
    if len(items) != 1 or (pairs := _pairs(items[0])) is None:
        if len(items) == 1 and items[0] in (sympy.true, sympy.false):
            return "valid" if items[0] == sympy.true else "invalid"  # evaluated numeric relation
        return None
    try:
        same = [sympy.simplify(lhs - rhs) == 0 for lhs, rhs in pairs]
    except (TypeError, ValueError, AttributeError):
        return None
    if all(same):
        return "valid"
    numeric = all(not (lhs.free_symbols | rhs.free_symbols) for lhs, rhs in pairs)
    return "invalid" if numeric else None


_EQUALS = re.compile(r"(?<![<>!=\\])=(?!=)")
_SYMBOL = re.compile(r"^[a-zA-Z](?:_\{?\d+\}?)?$")
_PARTIAL = "Follows from the problem (part of its solution)."


_OPERAND = re.compile(r"\d+(?:\.\d+)?[a-z]?|(?<![a-z\\])[a-z](?![a-z])")


def _rewrites_whole_problem(claim: Claim, problem: str) -> bool:
    """``5 × 6 - 2 = 28`` for ``5 × (6 - 2)``: true arithmetic, but its left side uses every number of
    the problem, so it claims to *be* the problem and must have the problem's value (the verifier
    checks that). ``6 - 2 = 4`` uses only some: a side computation, true is enough."""
    lhs = _EQUALS.split(_math_part(claim.text))[0]
    operands = sorted(_OPERAND.findall(lhs))
    return bool(operands) and operands == sorted(_OPERAND.findall(_math_part(problem)))


def _chain(claim: Claim) -> tuple[Claim, bool] | None:
    """``y = 5 - 3 = 2``: the claim ``y = 2``, and whether the links after the first are true.

    Only for equation problems; the verifier reads a chain as a value for expression problems.
    """
    if not claim.relation:
        return None
    math = _math_part(claim.text)
    parts = [p.strip() for p in _EQUALS.split(math)]
    if len(parts) < 3 or "," in math or any(not p for p in parts):
        return None
    if all(_SYMBOL.match(p) for p in parts[:-1]):  # x_1 = x_2 = 3: a double root
        return Claim(f"{parts[0]} = {parts[-1]}", True), True
    links_ok = all(_identity(Claim(f"{a} = {b}", True)) == "valid" for a, b in pairwise(parts[1:]))
    return Claim(f"{parts[0]} = {parts[-1]}", True), links_ok


def _roots(text: str, variables: list[sympy.Symbol]) -> Any:
    try:
        items = parse_math(_math_part(text)).items
        claim = items[0] if len(items) == 1 else sympy.Or(*items)
        return solution_set(claim, variables)
    except (UnprocessableError, TypeError, ValueError, NotImplementedError, AttributeError):
        return None


def _lost_roots(problem: str, partial: list[str]) -> bool:
    """Claims that state only some roots (``x = 2`` for ``x^2 = 4``) are right only when, together,
    the solution states all of them (``x_1 = 2`` then ``x_2 = -2``); otherwise a root was lost."""
    target, variables, mode = _problem_state(problem)
    if mode != "statement" or not partial:
        return False
    whole = solution_set(target, variables)
    found: Any = sympy.S.EmptySet
    for text in partial:
        roots = _roots(text, variables)
        if roots is None:
            return True
        found = sympy.Union(found, roots)
    return not bool(whole.is_subset(found))


def _step_verdict(index: int, step: str, verdicts: list[StepVerdict]) -> StepVerdict:
    if not verdicts:
        if has_relation(step):
            why = "This step states a relation that could not be read."
            return StepVerdict(index, step, "unparseable", why)
        return StepVerdict(index, step, "explanation", "An explanation without math: nothing to check.")
    for kind in ("invalid", "unparseable"):
        bad = next((v for v in verdicts if v.verdict == kind), None)
        if bad is not None:
            return StepVerdict(index, step, kind, f"{bad.reason} ({bad.text})")
    reasons = "; ".join(dict.fromkeys(v.reason for v in verdicts))
    return StepVerdict(index, step, "valid", reasons)


def check_solution_sync(problem: str, text: str) -> SolutionCheck:
    """Read and check ``text`` (a model's whole answer) against ``problem``."""
    steps = solution_steps(text)
    final = final_answer_of(text, steps)
    per_step: list[list[Claim]] = [read_claims(s) for s in steps]
    mode = _problem_state(problem)[2]
    to_verify: list[str] = []
    plan: list[list[tuple[Claim, str | None, int | None]]] = []
    for claims in per_step:
        row: list[tuple[Claim, str | None, int | None]] = []
        for claim in claims:
            fixed = _identity(claim)
            if fixed == "valid" and mode == "expression" and _rewrites_whole_problem(claim, problem):
                fixed = None  # the verifier compares it with the problem's value
            chained = _chain(claim) if fixed is None and mode != "expression" else None
            if chained is not None and not chained[1]:
                fixed = "invalid"
            elif chained is not None:
                claim = chained[0]
            if fixed is None and len(to_verify) >= MAX_STEPS:
                fixed = "too_many"  # more claims than the verifier takes: not checked, so not accepted
            if fixed is None:
                row.append((claim, None, len(to_verify)))
                to_verify.append(claim.text)
            else:
                row.append((claim, fixed, None))
        plan.append(row)
    base = verify_steps(problem, to_verify, final)
    partial = [to_verify[i] for i, v in enumerate(base.steps) if v.reason == _PARTIAL]
    lost = _lost_roots(problem, partial)
    out: list[StepVerdict] = []
    for index, (step, row) in enumerate(zip(steps, plan, strict=True)):
        verdicts: list[StepVerdict] = []
        for claim, fixed, at in row:
            if at is not None and lost and base.steps[at].reason == _PARTIAL:
                reason = "States only some of the solutions: a root is lost."
                verdicts.append(StepVerdict(index, claim.text, "invalid", reason))
            elif at is not None:
                v = base.steps[at]
                verdicts.append(StepVerdict(index, claim.text, v.verdict, v.reason))
            elif fixed == "valid":
                verdicts.append(StepVerdict(index, claim.text, "valid", "A true identity: a rewrite."))
            elif fixed == "too_many":
                why = f"More than {MAX_STEPS} claims: this one was not checked."
                verdicts.append(StepVerdict(index, claim.text, "unparseable", why))
            else:
                verdicts.append(StepVerdict(index, claim.text, "invalid", "This arithmetic is wrong."))
        out.append(_step_verdict(index, step, verdicts))
    first_invalid = next((v.index for v in out if v.verdict == "invalid"), None)
    first_unreadable = next((v.index for v in out if v.verdict == "unparseable"), None)
    verification = StepVerification(
        problem_kind=base.problem_kind,
        steps=out,
        first_invalid_step=first_invalid,
        all_steps_valid=first_invalid is None and all(v.verdict in ("valid", "explanation") for v in out),
        final_answer_correct=base.final_answer_correct,
        expected_answer=base.expected_answer,
        answer_kind=base.answer_kind,
    )
    accepted = (
        any(v.verdict == "valid" for v in out)
        and first_invalid is None
        and first_unreadable is None
        and base.final_answer_correct is True
    )
    return SolutionCheck(verification, final, accepted, first_unreadable)
