"""Solve a problem string step by step: detect what is asked, then hand it to the right solver.

Supported: linear equations (brackets, fractions, decimals), quadratics (factoring, formula, square
roots, irrational roots), 2x2 linear systems (substitution, elimination), linear inequalities, numeric
arithmetic and fractions, expand / factor / simplify, evaluating at given values, polynomial
derivatives. Anything else is a clear 422 naming what is not supported.
"""

from __future__ import annotations

import re

import sympy

from tutor.errors import UnprocessableError
from tutor.math.parsing import ParsedMath, normalize_text, parse_math
from tutor.math.solver_equations import solve_inequality, solve_linear_or_quadratic, solve_system
from tutor.math.solver_expressions import (
    solve_arithmetic,
    solve_derivative,
    solve_evaluate,
    solve_expand,
    solve_factor,
    solve_simplify,
)
from tutor.math.steps import Solution, UncheckedStepError, latex, render

__all__ = ["TASKS", "detect_task", "solve_problem"]

TASKS = ("solve", "arithmetic", "expand", "factor", "simplify", "evaluate", "derivative")
_TASK_WORDS = [
    ("derivative", r"求导|导数|derivative|differentiate|d/dx|\\frac\{d\}\{d[a-z]\}|[a-z]'\s*\(\s*[a-z]\s*\)"),
    ("factor", r"因式分解|分解因式|\bfactor(?:ise|ize)?\b"),
    ("expand", r"展开|\bexpand\b|multiply out"),
    ("simplify", r"化简|约分|\bsimplify\b"),
    ("evaluate", r"求值|\bevaluate\b|\bcalculate\b|\bcompute\b|计算"),
    ("solve", r"解方程组|解不等式|解方程|\bsolve\b"),
]


def detect_task(problem: str) -> tuple[str | None, str]:
    """Split an instruction (化简 / factor / d/dx ...) from the math; returns (task, math text)."""
    text = normalize_text(problem)
    task = None
    for name, pattern in _TASK_WORDS:
        if re.search(pattern, text, flags=re.IGNORECASE):
            task = name
            break
    if task == "derivative":
        text = re.sub(r"\\frac\{d\}\{d[a-z]\}|d/d[a-z]", " ", text)
        text = re.sub(r"^.*?\b[a-z]\s*\(\s*[a-z]\s*\)\s*=", " ", text, flags=re.S)
    if ":" in text:
        text = text.rsplit(":", 1)[1]
    for _, pattern in _TASK_WORDS:
        text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    text = re.sub(r"[\u3400-\u9fff]+", " ", text.replace("的值", " "))
    text = re.sub(r"^\s*(?:the|of|find|work out)\b", " ", text, flags=re.IGNORECASE)
    return task, text.strip().strip(".,;").strip()


def _display(math_text: str, unevaluated: sympy.Basic) -> str:
    if "\\" in math_text or "{" in math_text:
        return math_text.strip()
    if isinstance(unevaluated, tuple):
        return render(unevaluated)
    return latex(unevaluated)


def _single_var(item: sympy.Basic) -> sympy.Symbol:
    syms = sorted(item.free_symbols, key=lambda s: s.name)
    if len(syms) != 1:
        raise UnprocessableError(
            f"Expected exactly one unknown, found {len(syms)} ({', '.join(s.name for s in syms) or 'none'})."
        )
    return syms[0]


def _dispatch(
    task: str | None, math_text: str, parsed: ParsedMath, raw: ParsedMath, method: str | None
) -> Solution:
    items, raw_items = parsed.items, raw.items
    decimals = bool(re.search(r"\d\.\d", math_text))
    eqs = [i for i in raw_items if isinstance(i, sympy.Eq)]
    if len(items) == 2 and len(eqs) == 2 and task in (None, "solve"):
        syms = sorted(set().union(*[e.free_symbols for e in eqs]), key=lambda s: s.name)
        if len(syms) != 2:
            raise UnprocessableError("A system needs exactly two unknowns (such as x and y).")
        for e in eqs:
            if sympy.Poly(sympy.expand(e.lhs - e.rhs), *syms).total_degree() > 1:
                raise UnprocessableError("Only linear systems are supported.")
        m = sympy.Matrix([[sympy.expand(e.lhs - e.rhs).coeff(s) for s in syms] for e in eqs])
        if m.det() == 0:
            raise UnprocessableError(
                "This system has no unique solution (its equations are parallel or the same)."
            )
        return solve_system(_display(math_text, tuple(eqs)), (eqs[0], eqs[1]), syms[0], syms[1], method)
    if (
        len(items) >= 2
        and isinstance(items[0], sympy.Expr)
        and all(
            isinstance(i, sympy.Eq) and isinstance(i.lhs, sympy.Symbol) and not i.rhs.free_symbols
            for i in items[1:]
        )
    ):
        values = {i.lhs: i.rhs for i in items[1:]}
        return solve_evaluate(_display(math_text.split(",")[0], raw_items[0]), items[0], values)
    if len(items) != 1:
        raise UnprocessableError(
            "Give one equation, inequality or expression (or a system of two equations)."
        )
    item, raw_item = items[0], raw_items[0]
    shown = _display(math_text, raw_item)
    if isinstance(item, sympy.Eq):
        x = _single_var(item)
        try:
            degree = sympy.Poly(sympy.expand(item.lhs - item.rhs), x).degree()
        except sympy.PolynomialError:
            raise UnprocessableError(
                "Only polynomial equations (linear and quadratic) are supported."
            ) from None
        if degree > 2:
            raise UnprocessableError(
                f"Equations of degree {degree} are not supported (only linear and quadratic)."
            )
        return solve_linear_or_quadratic(shown, raw_item, x, decimals=decimals, method=method)
    if isinstance(item, sympy.Rel) and not isinstance(item, sympy.Ne):
        x = _single_var(item)
        if (
            not sympy.expand(item.lhs - item.rhs).is_polynomial(x)
            or sympy.degree(sympy.expand(item.lhs - item.rhs), x) > 1
        ):
            raise UnprocessableError("Only linear inequalities are supported.")
        return solve_inequality(shown, raw_item, x, decimals=decimals)
    if not isinstance(item, sympy.Expr):
        raise UnprocessableError("This kind of statement is not supported (chained inequalities, ≠ ...).")
    if task == "derivative":
        x = _single_var(item) if item.free_symbols else sympy.Symbol("x")
        if not item.is_polynomial(x):
            raise UnprocessableError("Only derivatives of polynomials are supported.")
        return solve_derivative(rf"\frac{{d}}{{d{x.name}}}\left({shown}\right)", item, x)
    if not item.free_symbols:
        return solve_arithmetic(shown, raw_item)
    if task == "factor":
        return solve_factor(shown, item)
    if task == "expand":
        return solve_expand(shown, raw_item)
    return solve_simplify(shown, raw_item)


def solve_problem(problem: str, *, task: str | None = None, method: str | None = None) -> Solution:
    """Worked solution for ``problem`` (LaTeX, plain text or a short instruction in Chinese/English)."""
    detected, math_text = detect_task(problem)
    task = task or detected
    if task is not None and task not in TASKS:
        raise UnprocessableError(f"Unknown task '{task}'; use one of {', '.join(TASKS)}.")
    if not math_text:
        raise UnprocessableError("No math found in the problem.")
    parsed = parse_math(math_text)
    raw = parse_math(math_text, evaluate=False)
    try:
        return _dispatch(task, math_text, parsed, raw, method)
    except UnprocessableError:
        raise
    except UncheckedStepError:
        raise UnprocessableError(
            "The engine could not produce a checked solution for this problem."
        ) from None
    except (ValueError, TypeError, NotImplementedError, IndexError, sympy.PolynomialError) as exc:
        raise UnprocessableError(
            f"This problem is not supported by the symbolic engine ({type(exc).__name__})."
        ) from None
