"""Step records and the checker that keeps every solver step honest.

A solver never appends a step directly: :class:`StepBuilder.add` compares the new state with the
previous one (same solution set for equations, inequalities and systems; same value for expressions)
and refuses the step when they differ. So every published step is checked, not assumed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import msgspec
import sympy
from sympy.printing.latex import LatexPrinter

__all__ = [
    "Solution",
    "Step",
    "StepBuilder",
    "UncheckedStepError",
    "arith_latex",
    "displayed_state",
    "latex",
    "render",
    "solution_set",
    "states_equivalent",
]


class Step(msgspec.Struct, frozen=True):
    """One line of a worked solution."""

    latex: str
    rule: str
    explanation_zh: str
    explanation_en: str


class Solution(msgspec.Struct, frozen=True):
    """A worked solution; ``answer`` is in the engine's canonical form for ``answer_kind``."""

    kind: str
    steps: list[Step]
    answer: str
    answer_kind: str


class UncheckedStepError(RuntimeError):
    """A solver produced a step that is not equivalent to the previous one (a bug, never user input)."""


System = tuple[sympy.Eq, ...]


class _Printer(LatexPrinter):
    """Prints unevaluated arithmetic the way it was written: 12 ÷ 4 × 3, not 12·(1/4)·3."""

    def _print_Mul(self, expr: sympy.Mul) -> str:
        args = list(expr.args)
        numeric = all(a.is_number for a in args)
        if not numeric or expr.doit() == expr:
            return str(super()._print_Mul(expr))
        if len(args) == 2 and args[0] == -1:
            return "-" + self._wrap(args[1])
        if (
            len(args) == 2
            and args[0].is_Integer
            and isinstance(args[1], sympy.Pow)
            and args[1].exp == -1
            and args[1].base.is_Integer
        ):
            return rf"\frac{{{self._print(args[0])}}}{{{self._print(args[1].base)}}}"
        out = self._wrap(args[0])
        for arg in args[1:]:
            if isinstance(arg, sympy.Pow) and arg.exp == -1:
                out += r" \div " + self._wrap(arg.base)
            else:
                out += r" \times " + self._wrap(arg)
        return out

    def _wrap(self, e: sympy.Basic) -> str:
        text = str(self._print(e))
        if isinstance(e, sympy.Add) or (e.is_Number and e.is_negative):
            return rf"\left({text}\right)"
        return text


def _split_sign(e: sympy.Basic) -> tuple[bool, sympy.Basic]:
    if isinstance(e, sympy.Mul) and e.args and e.args[0] == -1:
        rest = e.args[1:]
        return True, rest[0] if len(rest) == 1 else sympy.Mul(*rest, evaluate=False)
    if e.is_Number and e.is_negative:
        return True, -e
    if isinstance(e, sympy.Mul) and e.args[0].is_Number and e.args[0].is_negative:
        return True, sympy.Mul(-e.args[0], *e.args[1:], evaluate=False)
    return False, e


def arith_latex(e: sympy.Basic) -> str:
    """LaTeX for unevaluated arithmetic exactly as it stands (written order, ÷ and ×, fractions)."""
    if isinstance(e, sympy.Add):
        out = ""
        for i, term in enumerate(e.args):
            neg, mag = _split_sign(term)
            text = _arith_wrap(mag, sums=True)
            out += ("-" if neg else "") + text if i == 0 else (" - " if neg else " + ") + text
        return out
    neg, mag = _split_sign(e)
    if neg:
        return "-" + _arith_wrap(mag, sums=True)
    if isinstance(e, sympy.Mul):
        args = list(e.args)
        if (
            len(args) == 2
            and args[0].is_Integer
            and isinstance(args[1], sympy.Pow)
            and args[1].exp == -1
            and args[1].base.is_Integer
        ):
            return rf"\frac{{{args[0]}}}{{{args[1].base}}}"
        out = _arith_wrap(args[0], sums=True, negatives=True)
        for arg in args[1:]:
            if isinstance(arg, sympy.Pow) and arg.exp == -1:
                out += r" \div " + _arith_wrap(arg.base, sums=True, negatives=True, products=True)
            else:
                out += r" \times " + _arith_wrap(arg, sums=True, negatives=True)
        return out
    if isinstance(e, sympy.Pow):
        base, exp = e.args
        if exp == -1 and base.is_Integer:
            return rf"\frac{{1}}{{{base}}}"
        if exp == sympy.Rational(1, 2):
            return rf"\sqrt{{{arith_latex(base)}}}"
        shown_base = _arith_wrap(base, sums=True, negatives=True, products=True, fractions=True)
        return f"{shown_base}^{{{arith_latex(exp)}}}"
    if isinstance(e, sympy.Rational) and not e.is_Integer:
        return rf"\frac{{{e.p}}}{{{e.q}}}"
    return sympy.latex(e)


def _arith_wrap(
    e: sympy.Basic,
    *,
    sums: bool = False,
    negatives: bool = False,
    products: bool = False,
    fractions: bool = False,
) -> str:
    text = arith_latex(e)
    neg, _ = _split_sign(e)
    needs = (
        (sums and isinstance(e, sympy.Add))
        or (negatives and neg)
        or (products and isinstance(e, sympy.Mul))
        or (fractions and (isinstance(e, sympy.Rational) and not e.is_Integer))
        or (fractions and isinstance(e, sympy.Pow))
    )
    return rf"\left({text}\right)" if needs else text


def latex(expr: sympy.Basic, *, written_order: bool = False) -> str:
    """LaTeX with readable unevaluated arithmetic; ``written_order`` keeps sums as written."""
    settings: dict[str, Any] = (
        {"order": "none", "ln_notation": True} if written_order else {"ln_notation": True}
    )
    return str(_Printer(settings).doprint(expr))


def render(state: Any) -> str:
    """LaTeX for a state, keeping the written order of unevaluated sums."""
    if isinstance(state, tuple):
        rows = r" \\ ".join(render(s) for s in state)
        return r"\begin{cases} " + rows + r" \end{cases}"
    if isinstance(state, sympy.Or):
        return ", ".join(render(a) for a in _or_args(state))
    if isinstance(state, sympy.And):
        return ", ".join(render(a) for a in state.args)
    if isinstance(state, sympy.Set):
        return r"\varnothing" if state == sympy.S.EmptySet else sympy.latex(state)
    if isinstance(state, sympy.Expr) and not state.free_symbols and not state.has(sympy.Function):
        return arith_latex(state)
    if isinstance(state, sympy.Basic) and state.doit() == state:
        return latex(state)
    return latex(state, written_order=True)


def _or_args(state: sympy.Or) -> list[sympy.Basic]:
    args = list(state.args)
    try:
        return sorted(args, key=lambda e: float(sympy.N(e.rhs)) if isinstance(e, sympy.Eq) else 0.0)
    except TypeError:
        return args


def _evaluated(state: Any) -> Any:
    if isinstance(state, tuple):
        return tuple(_evaluated(s) for s in state)
    if isinstance(state, sympy.Basic):
        return state.doit()
    return state


def _linear_interval(rel: sympy.Rel, x: sympy.Symbol) -> sympy.Set | None:
    """Fast path for linear inequalities (SymPy's general inequality solver is slow)."""
    expr = sympy.expand(rel.lhs - rel.rhs)
    if not expr.is_polynomial(x) or sympy.degree(expr, x) > 1:
        return None
    a, c = expr.coeff(x, 1), expr.coeff(x, 0)
    if a.free_symbols or c.free_symbols:
        return None
    if a == 0:
        return sympy.S.Reals if bool(type(rel)(c, 0)) else sympy.S.EmptySet
    bound = -c / a
    op = type(rel)
    if a < 0:
        op = {sympy.Lt: sympy.Gt, sympy.Gt: sympy.Lt, sympy.Le: sympy.Ge, sympy.Ge: sympy.Le}[op]
    if op is sympy.Lt:
        return sympy.Interval.open(sympy.S.NegativeInfinity, bound)
    if op is sympy.Le:
        return sympy.Interval(sympy.S.NegativeInfinity, bound)
    if op is sympy.Gt:
        return sympy.Interval.open(bound, sympy.S.Infinity)
    return sympy.Interval(bound, sympy.S.Infinity)


def _polynomial_roots(eq: sympy.Eq, x: sympy.Symbol) -> sympy.Set | None:
    """Fast path for polynomial equations (solveset is slow): all roots found, keep the real ones."""
    try:
        poly = sympy.Poly(sympy.expand(eq.lhs - eq.rhs), x)
    except sympy.PolynomialError:
        return None
    if poly.free_symbols - {x} or poly.degree() > 4 or not all(c.is_number for c in poly.all_coeffs()):
        return None
    if poly.is_zero:
        return sympy.S.Reals
    if poly.degree() == 0:
        return sympy.S.EmptySet
    found = sympy.roots(poly)
    if sum(found.values()) != poly.degree():
        return None
    return sympy.FiniteSet(*[r for r in found if r.is_real])


def solution_set(state: Any, variables: Sequence[sympy.Symbol]) -> sympy.Set:
    """The set a statement describes over the reals (tuples of values for systems)."""
    state = _evaluated(state)
    if isinstance(state, sympy.Set):
        return state
    if isinstance(state, tuple) or (
        isinstance(state, sympy.And) and all(isinstance(a, sympy.Eq) for a in state.args)
    ):
        eqs = list(state) if isinstance(state, tuple) else list(state.args)
        if any(e is sympy.S.false for e in eqs):
            return sympy.S.EmptySet
        eqs = [e for e in eqs if e is not sympy.S.true]
        return sympy.linsolve(eqs, *variables)
    if state is sympy.S.true:
        return sympy.S.Reals
    if state is sympy.S.false:
        return sympy.S.EmptySet
    (x,) = variables
    if isinstance(state, sympy.Or):
        return sympy.Union(*[solution_set(a, variables) for a in state.args])
    if isinstance(state, sympy.Eq):
        fast_roots = _polynomial_roots(state, x)
        if fast_roots is not None:
            return fast_roots
        return sympy.solveset(state, x, domain=sympy.S.Reals)
    if isinstance(state, sympy.Rel) and not isinstance(state, sympy.Ne):
        fast = _linear_interval(state, x)
        if fast is not None:
            return fast
    if isinstance(state, sympy.And) and all(isinstance(a, sympy.Rel) for a in state.args):
        # systems and chains of inequalities: intersect the parts (as_set() on the whole is slow)
        return sympy.Intersection(*[solution_set(a, variables) for a in state.args])
    if isinstance(state, sympy.Rel | sympy.And):
        return state.as_set()
    raise TypeError(f"not a statement: {state!r}")


def states_equivalent(a: Any, b: Any, variables: Sequence[sympy.Symbol], mode: str) -> bool:
    """Mode ``expression``: equal values; otherwise equal solution sets."""
    if mode == "expression":
        va, vb = _evaluated(a), _evaluated(b)
        return bool(sympy.simplify(sympy.expand(va - vb)) == 0)
    if a == b:
        return True
    sa, sb = solution_set(a, variables), solution_set(b, variables)
    if sa == sb:
        return True
    diff = sympy.Union(sympy.Complement(sa, sb), sympy.Complement(sb, sa))
    return bool(sympy.simplify(diff) == sympy.S.EmptySet)


def _merge_subscripts(expr: Any) -> Any:
    """``x_1 = 2, x_2 = 3`` name the same unknown ``x``."""
    if isinstance(expr, tuple):
        return tuple(_merge_subscripts(e) for e in expr)
    if not isinstance(expr, sympy.Basic):
        return expr
    subs = {
        s: sympy.Symbol(s.name.split("_")[0])
        for s in expr.free_symbols
        if isinstance(s, sympy.Symbol) and re.fullmatch(r"[a-zA-Z]_\d+", s.name)
    }
    return expr.xreplace(subs) if subs else expr


def displayed_state(shown: str, like: Any, mode: str) -> Any:
    """Parse a displayed step's LaTeX back into a state of the same shape as ``like``."""
    from tutor.math.parsing import parse_math

    text = shown.strip()
    if text in (r"\varnothing", r"\emptyset"):
        return sympy.S.EmptySet
    if re.fullmatch(r"[a-zA-Z] \\in \\mathbb\{R\}", text):
        return sympy.S.Reals
    items = _merge_subscripts(parse_math(text).items)
    if mode == "expression":
        if len(items) != 1:
            raise ValueError("an expression step shows one expression")
        item = items[0]
        if isinstance(item, sympy.Eq):  # "f(4) = 11": the claim is the right-hand side
            item = item.rhs
        return item
    if isinstance(like, tuple):
        return tuple(items)
    if len(items) == 1:
        return items[0]
    if isinstance(like, sympy.Or) or all(isinstance(i, sympy.Eq) for i in items):
        return sympy.Or(*items)
    return sympy.And(*items)


class StepBuilder:
    """Collects checked steps for one problem.

    A step is checked twice: its state against the previous state (same solutions, or same value),
    and the LaTeX the learner will see, parsed back, against its state. A step marked ``implied``
    (squaring both sides, clearing a denominator that contains the unknown) may add solutions; the
    solver must then end with :meth:`check_roots`, which is checked against the original problem.
    """

    def __init__(
        self, start: Any, variables: Sequence[sympy.Symbol], mode: str, latex: str | None = None
    ) -> None:
        self.variables = list(variables)
        self.mode = mode
        self.state = start
        self.origin = start
        self.widened = False
        self.steps: list[Step] = [Step(latex or render(start), "given", "原题", "The problem as given.")]

    def _check_display(self, shown: str, state: Any, rule: str) -> None:
        try:
            seen = displayed_state(shown, state, self.mode)
            same = states_equivalent(seen, state, self.variables, self.mode)
        except Exception as exc:  # any failure to read back our own LaTeX is a solver bug
            raise UncheckedStepError(f"step '{rule}' shows LaTeX that does not read back: {shown}") from exc
        if not same:
            raise UncheckedStepError(f"step '{rule}' shows {shown}, which is not what was checked")

    def add(
        self,
        state: Any,
        rule: str,
        zh: str,
        en: str,
        latex: str | None = None,
        *,
        implied: bool = False,
    ) -> None:
        if implied:
            before, after = solution_set(self.state, self.variables), solution_set(state, self.variables)
            if not bool(before.is_subset(after)):
                raise UncheckedStepError(
                    f"step '{rule}' lost solutions: {render(self.state)} -> {render(state)}"
                )
            self.widened = True
        elif not states_equivalent(self.state, state, self.variables, self.mode):
            raise UncheckedStepError(
                f"step '{rule}' changed the problem: {render(self.state)} -> {render(state)}"
            )
        shown = latex or render(state)
        self._check_display(shown, state, rule)
        self.state = state
        self.steps.append(Step(shown, rule, zh, en))

    def check_roots(self, state: Any, rule: str, zh: str, en: str, latex: str | None = None) -> None:
        """检验: keep the candidate roots that satisfy the original problem (checked against it)."""
        if not states_equivalent(self.origin, state, self.variables, self.mode):
            raise UncheckedStepError(f"step '{rule}' does not match the original problem")
        shown = latex or render(state)
        self._check_display(shown, state, rule)
        self.state = state
        self.widened = False
        self.steps.append(Step(shown, rule, zh, en))
