"""Step records and the checker that keeps every solver step honest.

A solver never appends a step directly: :class:`StepBuilder.add` compares the new state with the
previous one (same solution set for equations, inequalities and systems; same value for expressions)
and refuses the step when they differ. So every published step is checked, not assumed.
"""

from __future__ import annotations

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


def latex(expr: sympy.Basic, *, written_order: bool = False) -> str:
    """LaTeX with readable unevaluated arithmetic; ``written_order`` keeps sums as written."""
    settings = {"order": "none"} if written_order else {}
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
        return sympy.solveset(state, x, domain=sympy.S.Reals)
    if isinstance(state, sympy.Rel) and not isinstance(state, sympy.Ne):
        fast = _linear_interval(state, x)
        if fast is not None:
            return fast
    if isinstance(state, sympy.Rel | sympy.And):
        return state.as_set()
    raise TypeError(f"not a statement: {state!r}")


def states_equivalent(a: Any, b: Any, variables: Sequence[sympy.Symbol], mode: str) -> bool:
    """Mode ``expression``: equal values; otherwise equal solution sets."""
    if mode == "expression":
        va, vb = _evaluated(a), _evaluated(b)
        return bool(sympy.simplify(sympy.expand(va - vb)) == 0)
    sa, sb = solution_set(a, variables), solution_set(b, variables)
    if sa == sb:
        return True
    diff = sympy.Union(sympy.Complement(sa, sb), sympy.Complement(sb, sa))
    return bool(sympy.simplify(diff) == sympy.S.EmptySet)


class StepBuilder:
    """Collects checked steps for one problem."""

    def __init__(
        self, start: Any, variables: Sequence[sympy.Symbol], mode: str, latex: str | None = None
    ) -> None:
        self.variables = list(variables)
        self.mode = mode
        self.state = start
        self.steps: list[Step] = [Step(latex or render(start), "given", "原题", "The problem as given.")]

    def add(self, state: Any, rule: str, zh: str, en: str, latex: str | None = None) -> None:
        if not states_equivalent(self.state, state, self.variables, self.mode):
            raise UncheckedStepError(
                f"step '{rule}' changed the problem: {render(self.state)} -> {render(state)}"
            )
        self.state = state
        self.steps.append(Step(latex or render(state), rule, zh, en))
