"""Answer kinds: read a parsed answer as a value of its kind, compare two, and print the canonical form.

The item bank's ``answer_kind`` column uses this vocabulary: ``number``, ``expression``, ``equation``
(the solution set of an equation), ``inequality`` (an interval), ``pair`` (a system's ordered solution)
and ``set``. Comparison is semantic: numbers with a tolerance, expressions by simplification,
solution sets as sets, inequalities as intervals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sympy

from tutor.errors import UnprocessableError
from tutor.math.forms import is_factored_form
from tutor.math.parsing import ParsedMath, parse_expression, parse_math

__all__ = [
    "ANSWER_KINDS",
    "Interpreted",
    "format_value",
    "infer_kind",
    "interpret",
    "is_factored_form",
    "read_answer",
    "values_equal",
]

ANSWER_KINDS = ("number", "expression", "equation", "inequality", "pair", "set")
REL_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class Interpreted:
    """A value of one answer kind: a number, an expression, a FiniteSet, an Interval/Set or a tuple."""

    kind: str
    value: Any
    variables: tuple[str, ...] = ()
    decimals: int = 0


class KindMismatch(ValueError):
    """The text is math, but not a value of the requested kind."""


def _is_constant(e: sympy.Basic) -> bool:
    return isinstance(e, sympy.Expr) and not e.free_symbols


def _assignment(item: sympy.Basic) -> tuple[sympy.Symbol, sympy.Expr] | None:
    if isinstance(item, sympy.Eq):
        lhs, rhs = item.args
        if isinstance(lhs, sympy.Symbol) and _is_constant(rhs):
            return lhs, rhs
        if isinstance(rhs, sympy.Symbol) and _is_constant(lhs):
            return rhs, lhs
    return None


def _base_name(sym: sympy.Symbol) -> str:
    return sym.name.split("_")[0]


def _solution_set(items: tuple[sympy.Basic, ...], bracket: str) -> tuple[sympy.Set, tuple[str, ...]]:
    if bracket == "{" or all(_is_constant(i) for i in items):
        if not all(_is_constant(i) for i in items):
            raise KindMismatch("a set lists numbers")
        return sympy.FiniteSet(*items), ()
    pairs = [_assignment(i) for i in items]
    if all(p is not None for p in pairs):
        names = {_base_name(p[0]) for p in pairs if p is not None}
        if len(names) != 1:
            raise KindMismatch("the answer names more than one unknown")
        return sympy.FiniteSet(*[p[1] for p in pairs if p is not None]), tuple(names)
    if len(items) == 1 and isinstance(items[0], sympy.Eq):
        eq = items[0]
        syms = sorted(eq.free_symbols, key=lambda s: s.name)
        if len(syms) != 1:
            raise KindMismatch("the equation must have exactly one unknown")
        sol = sympy.solveset(eq, syms[0], domain=sympy.S.Reals)
        if not isinstance(sol, sympy.FiniteSet):
            raise KindMismatch("the equation's solutions are not a finite set")
        return sol, (syms[0].name,)
    raise KindMismatch("expected solutions such as x = 2 or x = 3")


def _interval(parsed: ParsedMath) -> tuple[sympy.Set, tuple[str, ...]]:
    items = parsed.items
    if parsed.bracket in ("(", "[") and len(items) == 2 and all(_is_constant(i) for i in items):
        lo, hi = items
        return sympy.Interval(lo, hi, parsed.bracket == "(", parsed.closing == ")"), ()
    if not items or parsed.bracket:
        raise KindMismatch("expected an inequality such as x > 3")
    sets: list[sympy.Set] = []
    names: set[str] = set()
    for rel in items:  # several items: x < -1 或 x > 2 is a union
        if not isinstance(rel, sympy.Rel | sympy.And) or isinstance(rel, sympy.Eq | sympy.Ne):
            raise KindMismatch("expected an inequality such as x > 3")
        syms = sorted(rel.free_symbols, key=lambda s: s.name)
        if len(syms) != 1:
            raise KindMismatch("the inequality must have exactly one unknown")
        names.add(syms[0].name)
        sets.append(rel.as_set())
    if len(names) != 1:
        raise KindMismatch("the answer names more than one unknown")
    return sympy.Union(*sets), tuple(names)


def _pair(parsed: ParsedMath) -> tuple[tuple[sympy.Expr, ...], tuple[str, ...]]:
    items = parsed.items
    if parsed.bracket == "(" and all(_is_constant(i) for i in items):
        return tuple(items), ()  # type: ignore[arg-type]
    pairs = [_assignment(i) for i in items]
    if not all(p is not None for p in pairs):
        raise KindMismatch("expected values such as x = 1, y = 2")
    ordered = sorted((p for p in pairs if p is not None), key=lambda p: p[0].name)
    names = tuple(p[0].name for p in ordered)
    if len(set(names)) != len(names):
        raise KindMismatch("an unknown is given twice")
    return tuple(p[1] for p in ordered), names


def _decimals(source: str) -> int:
    found = re.findall(r"\d\.(\d+)", source)
    return max((len(f) for f in found), default=0)


def interpret(parsed: ParsedMath, kind: str) -> Interpreted:
    """Read ``parsed`` as a value of ``kind``; raises :class:`KindMismatch` when it is not one."""
    items = parsed.items
    if kind == "number":
        item = items[0] if len(items) == 1 and not parsed.bracket else None
        assigned = _assignment(item) if item is not None else None
        value = assigned[1] if assigned else item
        if value is None or not _is_constant(value):
            raise KindMismatch("expected a single number")
        return Interpreted(kind, value, decimals=_decimals(parsed.source))
    if kind == "expression":
        item = parsed.single
        if isinstance(item, sympy.Eq) and (
            isinstance(item.lhs, sympy.Symbol | sympy.Function | sympy.Derivative) or item.lhs.is_Function
        ):
            item = item.rhs
        if not isinstance(item, sympy.Expr):
            raise KindMismatch("expected an expression")
        return Interpreted(kind, item)
    if kind in ("equation", "set"):
        value, names = _solution_set(items, parsed.bracket)
        return Interpreted(kind, value, names)
    if kind == "inequality":
        value, names = _interval(parsed)
        return Interpreted(kind, value, names)
    if kind == "pair":
        pair, names = _pair(parsed)
        return Interpreted(kind, pair, names)
    raise UnprocessableError(f"Unknown answer kind '{kind}'; use one of {', '.join(ANSWER_KINDS)}.")


def _numbers_close(a: sympy.Expr, b: sympy.Expr, decimals: int = 0) -> bool:
    if sympy.simplify(a - b) == 0:
        return True
    try:
        fa, fb = complex(sympy.N(a, 30)), complex(sympy.N(b, 30))
    except (TypeError, ValueError):
        return False
    tol = REL_TOL * max(1.0, abs(fa))
    if decimals >= 2:
        tol = max(tol, 0.5 * 10.0**-decimals + 1e-12)
    return abs(fa - fb) <= tol


def _sets_equal(a: sympy.Set, b: sympy.Set) -> bool:
    if a == b:
        return True
    if isinstance(a, sympy.FiniteSet) and isinstance(b, sympy.FiniteSet):
        la, lb = list(a), list(b)
        if len(la) != len(lb):
            return False
        remaining = list(lb)
        for x in la:
            match = next((y for y in remaining if _numbers_close(x, y)), None)
            if match is None:
                return False
            remaining.remove(match)
        return True
    return bool(sympy.simplify(sympy.Complement(a, b)) == sympy.S.EmptySet) and bool(
        sympy.simplify(sympy.Complement(b, a)) == sympy.S.EmptySet
    )


def _terminates(value: sympy.Expr) -> bool:
    """A rational whose decimal form ends: only then must a decimal answer be exact."""
    if not isinstance(value, sympy.Rational):
        return False
    q = int(value.q)
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1


_ALL_REALS = re.compile(r"\\mathbb\{R\}|all real numbers|任意实数|全体实数|一切实数", re.IGNORECASE)
_EMPTY = ("\\varnothing", "\\emptyset", "∅")


_SET_BUILDER = re.compile(r"^\\?\{\s*([a-zA-Z])\s*(?:\||\\mid|:)\s*(.+?)\s*\\?\}$")
_MEMBER = re.compile(r"^([a-zA-Z])\s*\\in\s*(.+)$")
_LABEL = re.compile(r"^\s*[a-zA-Z]'*\s*\(\s*[-+.\w]*\s*\)\s*=(?!=)")
_INTERVAL = re.compile(r"^\s*([(\[])\s*([^,()\[\]]+?)\s*,\s*([^,()\[\]]+?)\s*([)\]])\s*$")


def _interval_union(text: str, var: str) -> Interpreted | None:
    """``(-\\infty,-1)\\cup(2,+\\infty)`` and ``x \\in [2, 5)``: unions of interval literals."""
    parts = [p for p in re.split(r"\\cup|∪|\bU\b", text)]
    sets: list[sympy.Set] = []
    for part in parts:
        m = _INTERVAL.match(part)
        if m is None:
            return None
        lo = parse_expression(m.group(2).lstrip("+"))
        hi = parse_expression(m.group(3).lstrip("+"))
        if lo.free_symbols or hi.free_symbols:
            return None
        sets.append(sympy.Interval(lo, hi, m.group(1) == "(", m.group(4) == ")"))
    return Interpreted("inequality", sympy.Union(*sets), (var,) if var else ())


def read_answer(text: str, kind: str) -> Interpreted:
    """Parse ``text`` (already extracted) as a value of ``kind``."""
    if kind not in ANSWER_KINDS:
        raise UnprocessableError(f"Unknown answer kind '{kind}'; use one of {', '.join(ANSWER_KINDS)}.")
    text = text.strip()
    if text in _EMPTY and kind in ("equation", "inequality", "set"):
        return Interpreted(kind, sympy.S.EmptySet)
    if _ALL_REALS.search(text) and kind in ("equation", "inequality"):
        return Interpreted(kind, sympy.S.Reals)
    if kind in ("number", "expression"):
        text = _LABEL.sub("", text)  # f(x) = 1, f(4) = 11: the label names the value
        if kind == "number" and re.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
            text = text.replace(",", "")
    if kind in ("inequality", "set", "equation"):
        builder = _SET_BUILDER.match(text)
        if builder is not None and kind == "inequality":
            inner = interpret(parse_math(builder.group(2)), "inequality")
            return Interpreted(kind, inner.value, (builder.group(1),))
        member = _MEMBER.match(text)
        union = _interval_union(member.group(2) if member else text, member.group(1) if member else "")
        if union is not None and kind == "inequality":
            return union
        if member is not None and kind == "inequality":
            raise KindMismatch("expected an interval such as (1, +∞) after ∈")
    return interpret(parse_math(text), kind)


def infer_kind(text: str) -> str:
    """Best guess of the answer kind of an expected answer written without one."""
    if text.strip() in _EMPTY or _ALL_REALS.search(text):
        return "equation"
    parsed = parse_math(text)
    items = parsed.items
    if parsed.bracket == "{":
        return "set"
    if parsed.bracket == "(" and parsed.closing == ")" and len(items) == 2:
        return "pair"
    if parsed.bracket:
        return "inequality"
    assigned = [_assignment(i) for i in items]
    if all(a is not None for a in assigned):
        names = {_base_name(a[0]) for a in assigned if a is not None}
        return (
            "pair"
            if len(names) > 1
            else "equation"
            if len(items) > 1 or _is_constant(items[0].rhs)
            else "number"
        )
    if len(items) == 1 and isinstance(items[0], sympy.Rel | sympy.And) and not isinstance(items[0], sympy.Eq):
        return "inequality"
    if any(isinstance(i, sympy.Eq) for i in items):
        return "equation"
    if all(_is_constant(i) for i in items):
        return "number" if len(items) == 1 else "set"
    return "expression"


def values_equal(expected: Interpreted, submitted: Interpreted) -> bool:
    """Semantic equality of two values of the same kind."""
    kind = expected.kind
    if kind == "number":
        rounding = submitted.decimals if not _terminates(expected.value) else 0
        return _numbers_close(expected.value, submitted.value, rounding)
    if kind == "expression":
        diff = sympy.simplify(sympy.expand(expected.value - submitted.value))
        return bool(diff == 0)
    if kind == "pair":
        ea, sa = expected.value, submitted.value
        if expected.variables and submitted.variables and expected.variables != submitted.variables:
            return False
        return len(ea) == len(sa) and all(_numbers_close(x, y) for x, y in zip(ea, sa, strict=True))
    if expected.variables and submitted.variables and expected.variables != submitted.variables:
        return False
    return _sets_equal(expected.value, submitted.value)


def _var(names: tuple[str, ...], default: str = "x") -> str:
    return names[0] if names else default


def _interval_latex(value: sympy.Set, var: str) -> str:
    x = sympy.Symbol(var)
    if isinstance(value, sympy.Interval):
        parts: list[str] = []
        lo, hi = value.start, value.end
        if lo is not sympy.S.NegativeInfinity and hi is not sympy.S.Infinity:
            lo_op = "<" if value.left_open else r"\le"
            hi_op = "<" if value.right_open else r"\le"
            return f"{sympy.latex(lo)} {lo_op} {var} {hi_op} {sympy.latex(hi)}"
        if lo is not sympy.S.NegativeInfinity:
            op = ">" if value.left_open else r"\ge"
            parts.append(f"{var} {op} {sympy.latex(lo)}")
        if hi is not sympy.S.Infinity:
            op = "<" if value.right_open else r"\le"
            parts.append(f"{var} {op} {sympy.latex(hi)}")
        return ", ".join(parts) if parts else f"{var} \\in \\mathbb{{R}}"
    if value == sympy.S.EmptySet:
        return "\\varnothing"
    if isinstance(value, sympy.Union) and all(isinstance(p, sympy.Interval) for p in value.args):
        return ", ".join(_interval_latex(p, var) for p in value.args)  # x < -3 或 x > 2
    return sympy.latex(value.as_relational(x))


def format_value(value: Interpreted) -> str:
    """The engine's canonical answer text (LaTeX that :func:`parse_math` reads back)."""
    kind, v = value.kind, value.value
    if kind in ("number", "expression"):
        return sympy.latex(v, ln_notation=True)
    if kind == "equation":
        if v == sympy.S.EmptySet:
            return "\\varnothing"
        if v == sympy.S.Reals:
            return f"{_var(value.variables)} \\in \\mathbb{{R}}"
        var = _var(value.variables)
        ordered = sorted(v, key=lambda e: float(sympy.N(e)))
        return ", ".join(f"{var} = {sympy.latex(e)}" for e in ordered)
    if kind == "set":
        ordered = sorted(v, key=lambda e: float(sympy.N(e)))
        return "\\{" + ", ".join(sympy.latex(e) for e in ordered) + "\\}"
    if kind == "inequality":
        return _interval_latex(v, _var(value.variables))
    if kind == "pair":
        names = value.variables or ("x", "y")
        return ", ".join(f"{n} = {sympy.latex(e)}" for n, e in zip(names, v, strict=False))
    raise UnprocessableError(f"Unknown answer kind '{kind}'.")
