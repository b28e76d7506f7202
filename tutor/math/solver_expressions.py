"""Step-by-step work on expressions: arithmetic in order of operations, fractions, expand, factor,
simplify, substitution and polynomial derivatives. Every step keeps the value (checked)."""

from __future__ import annotations

from functools import reduce
from typing import Any

import sympy

from tutor.errors import UnprocessableError
from tutor.math.answers import Interpreted, format_value
from tutor.math.steps import Solution, StepBuilder, latex

__all__ = [
    "solve_arithmetic",
    "solve_derivative",
    "solve_evaluate",
    "solve_expand",
    "solve_factor",
    "solve_simplify",
]

_MAX_ARITH_STEPS = 30


def _numberish(e: sympy.Basic) -> bool:
    if e.is_Number:
        return True
    if isinstance(e, sympy.Pow) and e.base.is_Number and e.exp == -1:
        return True
    if isinstance(e, sympy.Mul) and len(e.args) == 2 and e.args[0] == -1 and _numberish(e.args[1]):
        return True
    return bool(
        isinstance(e, sympy.Mul)
        and len(e.args) == 2
        and e.args[0].is_Integer
        and isinstance(e.args[1], sympy.Pow)
        and e.args[1].exp == -1
        and e.args[1].base.is_Integer
    )


def _rebuild(e: sympy.Basic, mapping: dict[sympy.Basic, sympy.Basic]) -> sympy.Basic:
    if e in mapping:
        return mapping[e]
    if not e.args or _numberish(e):
        return e
    args = [_rebuild(a, mapping) for a in e.args]
    if isinstance(e, sympy.Add | sympy.Mul | sympy.Pow):
        return e.func(*args, evaluate=False)
    return e.func(*args)


def _ready_nodes(e: sympy.Basic) -> list[sympy.Basic]:
    """Innermost operations whose operands are all plain numbers (what to compute next)."""
    if _numberish(e) or not e.args:
        return []
    inner = [n for a in e.args for n in _ready_nodes(a)]
    if inner:
        # powers before products before sums: only the highest-priority ready nodes go this round
        pows = [n for n in inner if isinstance(n, sympy.Pow)]
        return pows or inner
    return [e]


def _fraction_common_denominator(e: sympy.Basic) -> sympy.Basic | None:
    """For a sum of fractions, rewrite each over the least common denominator (通分)."""
    if not isinstance(e, sympy.Add):
        return None
    terms = [sympy.nsimplify(t.doit()) for t in e.args]
    if not all(isinstance(t, sympy.Rational) for t in terms) or all(t.q == 1 for t in terms):
        return None
    lcd = int(reduce(sympy.ilcm, [int(t.q) for t in terms], 1))
    if all(t.q == lcd for t in terms):
        return None
    parts = [
        sympy.Mul(
            sympy.Integer(int(t.p) * (lcd // int(t.q))), sympy.Pow(lcd, -1, evaluate=False), evaluate=False
        )
        for t in terms
    ]
    return sympy.Add(*parts, evaluate=False)


def solve_arithmetic(problem_latex: str, expr: sympy.Expr) -> Solution:
    """Evaluate a numeric expression one round of operations at a time (brackets, powers, ×÷, +-)."""
    b = StepBuilder(expr, [], "expression", latex=problem_latex)
    current: sympy.Basic = expr
    for _ in range(_MAX_ARITH_STEPS):
        if _numberish(current) or not current.args:
            break
        common = _fraction_common_denominator(current) if isinstance(current, sympy.Add) else None
        ready = _ready_nodes(current)
        if common is not None and ready == [current]:
            b.add(
                common, "common denominator", "通分：化成同分母的分数", "Rewrite over a common denominator."
            )
            current = common
        nodes = _ready_nodes(current)
        if not nodes:
            break
        mapping = {n: sympy.nsimplify(n.doit()) for n in nodes}
        nxt = _rebuild(current, mapping)
        if nxt == current:
            break
        kinds = {type(n).__name__ for n in nodes}
        if "Pow" in kinds:
            zh, en, rule = "先算乘方", "Work out the powers first.", "powers"
        elif any(n is not current for n in nodes):
            zh, en, rule = (
                "先算括号里面的（或先乘除后加减）",
                "Work out brackets and products first.",
                "brackets first",
            )
        elif isinstance(current, sympy.Mul):
            zh, en, rule = "计算乘除", "Multiply and divide.", "multiply/divide"
        else:
            zh, en, rule = "计算加减", "Add and subtract.", "add/subtract"
        b.add(nxt, rule, zh, en)
        current = nxt
    value = sympy.nsimplify(sympy.sympify(current).doit())
    if b.steps[-1].latex != sympy.latex(value):
        b.add(value, "result", "得出结果", "The result.")
    return Solution("arithmetic", b.steps, format_value(Interpreted("number", value)), "number")


def solve_expand(problem_latex: str, expr: sympy.Expr) -> Solution:
    b = StepBuilder(expr, [], "expression", latex=problem_latex)
    terms = sympy.Add.make_args(expr)
    if len(terms) > 1 and any(
        isinstance(a, sympy.Add | sympy.Pow) for t in terms for a in sympy.Mul.make_args(t)
    ):
        each = sympy.Add(*[sympy.expand(t) for t in terms], evaluate=False)
        b.add(each, "distribute", "去括号：用分配律（或乘法公式）展开每一项", "Expand each product.")
    result = sympy.expand(expr)
    b.add(result, "combine like terms", "合并同类项", "Combine like terms.")
    return Solution("expand", b.steps, format_value(Interpreted("expression", result)), "expression")


def solve_factor(problem_latex: str, expr: sympy.Expr) -> Solution:
    b = StepBuilder(expr, [], "expression", latex=problem_latex)
    expanded = sympy.expand(expr)
    common = sympy.factor_terms(expanded)
    result = sympy.factor(expanded)
    if common != expanded and common != result:
        b.add(common, "common factor", "提公因式", "Take out the common factor.")
    b.add(result, "factor", "用公式法或十字相乘法分解", "Factor with formulas or the cross method.")
    return Solution("factor", b.steps, format_value(Interpreted("expression", result)), "expression")


def solve_simplify(problem_latex: str, expr: sympy.Expr) -> Solution:
    b = StepBuilder(expr, [], "expression", latex=problem_latex)
    num, den = sympy.fraction(sympy.together(expr))
    if den.free_symbols:
        fn, fd = sympy.factor(num), sympy.factor(den)
        b.add(
            sympy.Mul(fn, sympy.Pow(fd, -1, evaluate=False), evaluate=False),
            "factor numerator and denominator",
            "分子分母分别因式分解",
            "Factor the numerator and the denominator.",
        )
        result = sympy.cancel(expr)
        result = sympy.factor(result)
        b.add(result, "cancel", "约去公因式", "Cancel the common factors.")
    else:
        expanded = sympy.expand(expr.doit())
        if any(isinstance(a, sympy.Add) for t in sympy.Add.make_args(expr) for a in sympy.Mul.make_args(t)):
            b.add(
                sympy.Add(*[sympy.expand(t) for t in sympy.Add.make_args(expr)], evaluate=False),
                "expand brackets",
                "去括号",
                "Remove the brackets.",
            )
        result = (
            sympy.simplify(expanded) if expanded.has(sympy.Pow) and not expanded.is_polynomial() else expanded
        )
        b.add(
            result, "combine like terms", "合并同类项（幂的运算法则）", "Combine like terms (exponent rules)."
        )
    return Solution("simplify", b.steps, format_value(Interpreted("expression", result)), "expression")


def solve_evaluate(problem_latex: str, expr: sympy.Expr, values: dict[sympy.Symbol, sympy.Expr]) -> Solution:
    b = StepBuilder(expr.subs(values), [], "expression", latex=problem_latex)
    shown = {
        s: sympy.Symbol(
            rf"\left({sympy.latex(v)}\right)" if v.is_negative or not v.is_Integer else sympy.latex(v)
        )
        for s, v in values.items()
    }
    b.add(
        expr.subs(values),
        "substitute",
        "代入字母的值",
        "Substitute the given values.",
        latex=sympy.latex(expr.subs(shown)),
    )
    value = sympy.nsimplify(expr.subs(values))
    b.add(value, "evaluate", "按运算顺序计算", "Evaluate in order of operations.")
    return Solution("evaluate", b.steps, format_value(Interpreted("number", value)), "number")


_TABLE_ZH = {
    "sin": ("(sin x)' = cos x", "the derivative of sin x is cos x"),
    "cos": ("(cos x)' = -sin x", "the derivative of cos x is -sin x"),
    "exp": ("(e^x)' = e^x", "the derivative of e^x is e^x itself"),
    "log": ("(ln x)' = 1/x", "the derivative of ln x is 1/x"),
}


def _derivative_rule(term: sympy.Expr, x: sympy.Symbol) -> tuple[str, str]:
    """Which rule differentiates ``term`` (a constant times a table function), in zh and en."""
    coeff, f = term.as_independent(x, as_Mul=True)
    if not f.has(x):
        return "常数的导数是 0", "a constant has derivative 0"
    if f == x or (isinstance(f, sympy.Pow) and f.base == x and not f.exp.has(x)):
        n = f.exp if isinstance(f, sympy.Pow) else sympy.Integer(1)
        return (
            f"幂函数求导 (x^n)' = n·x^(n-1)，这里 n = {sympy.latex(n)}，系数 {sympy.latex(coeff)} 保留",
            f"power rule (x^n)' = n x^(n-1) with n = {sympy.latex(n)}, "
            f"keeping the factor {sympy.latex(coeff)}",
        )
    for name, (zh, en) in _TABLE_ZH.items():
        if f.func.__name__ == name and f.args[0] == x:
            return (
                f"基本初等函数的导数 {zh}，系数 {sympy.latex(coeff)} 保留",
                f"{en}, keeping the factor {sympy.latex(coeff)}",
            )
    raise UnprocessableError(
        f"Derivatives of {sympy.latex(f)} (products, quotients or compositions) are not supported yet.",
        detail_zh=f"暂不支持 {sympy.latex(f)} 这样的复合、乘积或商的求导。",
    )


def solve_derivative(problem_latex: str, expr: sympy.Expr, x: sympy.Symbol) -> Solution:
    start: Any = sympy.Derivative(expr, x)
    b = StepBuilder(start, [], "expression", latex=problem_latex)
    rewritten = sympy.expand(sympy.powsimp(expr))
    if rewritten != expr:
        b.add(
            sympy.Derivative(rewritten, x),
            "rewrite as powers",
            "先整理：展开括号，把根式、分式写成幂的形式（如 √x = x^(1/2)，1/x = x^(-1)）",
            "Tidy up first: expand brackets and write roots and fractions as powers "
            "(sqrt(x) = x^(1/2), 1/x = x^(-1)).",
        )
    terms = sympy.Add.make_args(rewritten)
    rules = [_derivative_rule(t, x) for t in terms]
    d = rf"\frac{{d}}{{d{x.name}}}"
    if len(terms) > 1:
        shown = ""
        for i, t in enumerate(terms):
            neg = t.could_extract_minus_sign()
            part = rf"{d}\left({latex(-t if neg else t)}\right)"
            shown += ("-" if neg else "") + part if i == 0 else (" - " if neg else " + ") + part
        b.add(
            sympy.Add(*[sympy.Derivative(t, x) for t in terms], evaluate=False),
            "sum rule",
            "和（差）的导数等于各项导数的和（差）：逐项求导",
            "The derivative of a sum is the sum of the derivatives: take each term on its own.",
            latex=shown,
        )
    each = [sympy.diff(t, x) for t in terms]
    result = sympy.expand(sympy.diff(expr, x))
    b.add(
        sympy.Add(*each, evaluate=False) if len(each) > 1 else each[0],
        "differentiate each term",
        "；".join(f"{sympy.latex(t)}：{zh}" for t, (zh, _) in zip(terms, rules, strict=True)),
        "; ".join(f"{sympy.latex(t)}: {en}" for t, (_, en) in zip(terms, rules, strict=True)) + ".",
    )
    if b.steps[-1].latex != sympy.latex(result):
        b.add(result, "simplify", "整理结果：合并同类项", "Tidy up the result: combine like terms.")
    return Solution("derivative", b.steps, format_value(Interpreted("expression", result)), "expression")
