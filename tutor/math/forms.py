"""Answer forms per task: is a value that checks also written as an answer to *this* question?

``x - 7 = 12`` has the solution set of ``x = 19`` and ``7/5 + 3/2`` has the value of ``29/10``, but
neither answers "solve" / "calculate"; ``(x+2)(x+3)`` is not an answer to "expand", ``2/8`` not to
"reduce 12/48". Each check reads the answer unevaluated (as the learner wrote it) and returns a reason
code, or None when the form is right. The codes are explained to the learner by :mod:`grading`.
"""

from __future__ import annotations

import math
import re

import sympy

from tutor.errors import UnprocessableError
from tutor.math.parsing import parse_math

__all__ = ["TASK_ALIASES", "form_problem", "is_factored_form", "normalize_task"]

TASK_ALIASES = {
    "arithmetic": "calculate",
    "compute": "calculate",
    "calculate": "calculate",
    "evaluate": "evaluate",
    "solve": "solve",
    "expand": "expand",
    "factor": "factor",
    "simplify": "simplify",
    "reduce": "reduce",
    "derivative": "derivative",
}


def normalize_task(task: str | None) -> str | None:
    if task is None:
        return None
    name = TASK_ALIASES.get(task.strip().lower())
    if name is None:
        raise UnprocessableError(
            f"Unknown task '{task}'; use one of {', '.join(sorted(set(TASK_ALIASES.values())))}.",
            field="task",
            detail_zh=f"未知的题型“{task}”。",
        )
    return name


def _unevaluated(text: str) -> sympy.Basic | None:
    try:
        return parse_math(text, evaluate=False).single
    except UnprocessableError:
        return None


def _is_rational_literal(e: sympy.Basic) -> bool:
    return bool(e.is_Rational) or (isinstance(e, sympy.Pow) and e.base.is_Integer and e.exp == -1)


def _fraction_parts(e: sympy.Basic) -> tuple[int, int] | None:
    """``p/q`` written as a fraction of two integers (unevaluated), else None."""
    if isinstance(e, sympy.Pow) and e.base.is_Integer and e.exp == -1:
        return 1, int(e.base)
    if isinstance(e, sympy.Mul) and len(e.args) == 2:
        a, b = e.args
        if a.is_Integer and isinstance(b, sympy.Pow) and b.base.is_Integer and b.exp == -1:
            return int(a), int(b.base)
    if isinstance(e, sympy.Rational) and not e.is_Integer:
        return int(e.p), int(e.q)
    return None


def _strip_sign(e: sympy.Basic) -> sympy.Basic:
    if isinstance(e, sympy.Mul) and e.args[0] == -1 and len(e.args) >= 2:
        rest = e.args[1:]
        return rest[0] if len(rest) == 1 else sympy.Mul(*rest, evaluate=False)
    return e


def _pending(e: sympy.Basic, *, percent: bool = False) -> str | None:
    """A numeric operation still waiting to be done (``2*3``, ``1+2``, ``2^3``, ``√8``, ``2/8``)."""
    e = _strip_sign(e)
    if e.is_Number or e in (sympy.pi, sympy.E):
        return None
    frac = _fraction_parts(e)
    if frac is not None:
        p, q = frac
        if percent and q == 100:
            return None
        if q == 0 or abs(q) == 1 or math.gcd(p, q) != 1:
            return "not_lowest"
        return None
    if isinstance(e, sympy.Add):
        parts = [_strip_sign(a) for a in e.args]
        rational = [a for a in parts if a.is_Integer or _fraction_parts(a) is not None]
        if len(e.args) == 2 and len(rational) == 2:  # a mixed number 2 1/2 -> (2 + 1/2)
            whole = next((a for a in parts if a.is_Integer), None)
            frac = next((_fraction_parts(a) for a in parts if _fraction_parts(a) is not None), None)
            if whole is not None and frac is not None and 0 < frac[0] < frac[1]:
                return None if math.gcd(*frac) == 1 else "not_lowest"
        if len(rational) >= 2:
            return "unfinished"
        return next((r for r in (_pending(a) for a in e.args) if r), None)
    if isinstance(e, sympy.Mul):
        numeric = [a for a in e.args if not a.free_symbols]
        if len(numeric) >= 2 and not _finished_product(numeric):
            return "unfinished"
        numbers = [a for a in e.args if _is_rational_literal(a)]
        radicals = [a for a in e.args if isinstance(a, sympy.Pow) and a.exp == sympy.Rational(1, 2)]
        if len(numbers) >= 2 and _fraction_parts(sympy.Mul(*numbers, evaluate=False)) is None:
            return "unfinished"
        if len(numbers) >= 2:
            frac = _fraction_parts(sympy.Mul(*numbers, evaluate=False))
            if frac is not None and math.gcd(*frac) != 1:
                return "not_lowest"
        if len(radicals) >= 2:
            return "unfinished"
        return next((r for r in (_pending(a) for a in e.args if not _is_rational_literal(a)) if r), None)
    if isinstance(e, sympy.Pow):
        if e.base.is_Rational and e.exp.is_Integer:
            return "unfinished"
        if e.base.is_Integer and e.exp == sympy.Rational(1, 2):
            n = int(e.base)
            if n < 2 or any(n % (k * k) == 0 for k in range(2, math.isqrt(n) + 1)):
                return "unfinished"  # √9, √8 = 2√2
            return None
        if not e.free_symbols and e.exp.is_negative:
            return "unfinished"  # 1/(1/2), (2/3)^-1
        return _pending(e.base) or _pending(e.exp)
    if e.args and not e.free_symbols:
        return "unfinished"  # sin(30), Abs(-3), 3!
    return None


def _finished_product(factors: list[sympy.Basic]) -> bool:
    """``p/q``, ``k√n``, ``k√n/q``, ``kπ``: the only numeric products a final answer keeps."""
    integers = [f for f in factors if f.is_Integer]
    inverses = [f for f in factors if isinstance(f, sympy.Pow) and f.base.is_Integer and f.exp == -1]
    roots = [
        f for f in factors if isinstance(f, sympy.Pow) and f.base.is_Integer and f.exp == sympy.Rational(1, 2)
    ]
    constants = [f for f in factors if f in (sympy.pi, sympy.E)]
    if len(integers) + len(inverses) + len(roots) + len(constants) != len(factors):
        return False
    return len(integers) <= 1 and len(inverses) <= 1 and len(roots) <= 1 and len(constants) <= 1


def _solved(items: tuple[sympy.Basic, ...], kind: str) -> bool:
    """``x = 3``, ``x_1 = 2, x_2 = 3``, ``x > 4``, ``-2 < x < 2``, a list of numbers."""

    def lone(a: sympy.Basic, b: sympy.Basic) -> bool:
        return isinstance(a, sympy.Symbol) and not b.free_symbols

    for item in items:
        if isinstance(item, sympy.Expr) and not item.free_symbols:
            continue
        if isinstance(item, sympy.And):
            if not all(_solved((a,), kind) for a in item.args):
                return False
            continue
        if isinstance(item, sympy.Rel) and (lone(item.lhs, item.rhs) or lone(item.rhs, item.lhs)):
            continue
        return False
    return True


def _expanded(raw: sympy.Basic, value: sympy.Expr) -> bool:
    for node in sympy.preorder_traversal(raw):
        if isinstance(node, sympy.Mul) and any(
            isinstance(a, sympy.Add) and a.free_symbols for a in node.args
        ):
            return False
        if isinstance(node, sympy.Pow) and isinstance(node.base, sympy.Add) and node.exp.is_Integer:
            return node.exp < 0
    return len(sympy.Add.make_args(raw)) <= len(sympy.Add.make_args(sympy.expand(value)))


def _irreducible(factor: sympy.Expr) -> bool:
    if not factor.free_symbols:
        return True
    content, parts = sympy.factor_list(factor)
    return len(parts) == 1 and parts[0][1] == 1 and abs(content) == 1


def _fully_factored(raw: sympy.Basic) -> bool:
    if not is_factored_form_expr(raw):
        return False
    for f in sympy.Mul.make_args(raw):
        base = f.base if isinstance(f, sympy.Pow) and f.exp.is_Integer and f.exp > 0 else f
        if not _irreducible(sympy.expand(base)):
            return False
    return True


def is_factored_form_expr(item: sympy.Basic) -> bool:
    if not isinstance(item, sympy.Expr):
        return False
    factors = sympy.Mul.make_args(item)

    def polynomial_factor(f: sympy.Basic) -> bool:
        base = f.base if isinstance(f, sympy.Pow) and f.exp.is_Integer and f.exp > 0 else f
        return isinstance(base, sympy.Add) and bool(base.free_symbols)

    nontrivial = [f for f in factors if f.free_symbols]
    return any(polynomial_factor(f) for f in factors) and (
        len(nontrivial) > 1 or any(isinstance(f, sympy.Pow) for f in nontrivial) or len(factors) > 1
    )


def is_factored_form(text: str) -> bool:
    """True when ``text`` is written as a product with a non-constant sum inside, e.g. ``2(x+1)(x-3)``."""
    item = _unevaluated(text)
    return item is not None and is_factored_form_expr(item)


def _cancelled(raw: sympy.Basic) -> bool:
    num, den = sympy.fraction(raw)  # as written: together() would cancel for us
    num, den = sympy.expand(num.doit()), sympy.expand(den.doit())
    return bool(sympy.gcd(num, den).free_symbols == set()) and not (
        isinstance(raw, sympy.Add) and any(sympy.fraction(a)[1].free_symbols for a in raw.args)
    )


def form_problem(
    task: str | None, kind: str, candidate: str, value: object, expected_text: str
) -> str | None:
    """The reason code when ``candidate`` (whose value already checks) is not in answer form."""
    if task is None:
        return None
    try:
        parsed = parse_math(candidate, evaluate=False)
    except UnprocessableError:
        return None  # special forms (set-builder, ∈ intervals, ∅) are read elsewhere and are solved forms
    raw = parsed.single
    if task == "solve" or kind in ("equation", "inequality", "pair", "set"):
        return None if _solved(parsed.items, kind) or parsed.bracket else "unsolved"
    if raw is None:
        return None
    if kind == "number":
        if task == "reduce":
            if re.search(r"\d\.\d|%", candidate):
                return "not_fraction"  # 约分 asks for a fraction, not its decimal
            frac = _fraction_parts(_strip_sign(raw))
            if _strip_sign(raw).is_Integer:
                return None
            if frac is None:
                return "not_fraction"
            return None if math.gcd(*frac) == 1 and abs(frac[1]) > 1 else "not_lowest"
        return _pending(raw, percent=parsed.percent)
    if not isinstance(value, sympy.Expr) or not isinstance(raw, sympy.Expr):
        return None
    if task == "expand":
        return None if _expanded(raw, value) else "not_expanded"
    if task == "factor":
        return None if _fully_factored(raw) else "not_factored"
    if task in ("simplify", "reduce", "derivative", "evaluate", "calculate"):
        if sympy.fraction(sympy.together(value))[1].free_symbols:
            return None if _cancelled(raw) else "not_simplified"
        reference = _unevaluated(expected_text)
        limit = sympy.count_ops(reference) if reference is not None else sympy.count_ops(value)
        if sympy.count_ops(raw) > max(limit, sympy.count_ops(sympy.expand(value))):
            return "not_simplified"
        if re.search(r"\d\s*\*\s*\d", candidate) or _pending(raw) == "unfinished":
            return "not_simplified"
    return None
