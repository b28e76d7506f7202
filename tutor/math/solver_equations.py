"""Step-by-step solvers for linear equations, inequalities, quadratics and 2x2 linear systems.

The steps follow the Chinese middle-school order (去分母, 去括号, 移项, 合并同类项, 系数化为1) so a
learner sees the method they were taught; each step goes through :class:`StepBuilder`, which checks it.
"""

from __future__ import annotations

from functools import reduce

import sympy

from tutor.math.answers import Interpreted, format_value
from tutor.math.steps import Solution, StepBuilder, render

__all__ = ["solve_inequality", "solve_linear_or_quadratic", "solve_system"]

_FLIP = {sympy.Lt: sympy.Gt, sympy.Gt: sympy.Lt, sympy.Le: sympy.Ge, sympy.Ge: sympy.Le}


def _denominator_lcm(*sides: sympy.Expr) -> int:
    dens = [1]
    for side in sides:
        for term in sympy.Add.make_args(sympy.expand(side)):
            coeff = term.as_coeff_Mul()[0]
            if isinstance(coeff, sympy.Rational):
                dens.append(int(coeff.q))
    return int(reduce(sympy.ilcm, dens, 1))


def _scaled_terms(side: sympy.Expr, factor: int) -> sympy.Expr:
    """``factor * side`` written term by term, keeping each numerator's brackets (2(2x+1))."""
    out = []
    for term in sympy.Add.make_args(side):
        num, den = sympy.fraction(sympy.together(term.doit()))
        scale = sympy.Rational(factor, 1) / den
        if isinstance(num, sympy.Add) and scale != 1:
            out.append(sympy.Mul(scale, num, evaluate=False))
        else:
            out.append(sympy.expand(scale * num))
    return sympy.Add(*out, evaluate=False) if len(out) > 1 else out[0]


def _has_brackets(side: sympy.Expr) -> bool:
    return any(isinstance(a, sympy.Add) for t in sympy.Add.make_args(side) for a in sympy.Mul.make_args(t))


def _clear_and_expand(b: StepBuilder, rel: type, lhs: sympy.Expr, rhs: sympy.Expr, decimals: bool) -> tuple:
    """去分母/去小数 then 去括号; returns the expanded sides."""
    lcm = _denominator_lcm(lhs, rhs)
    if lcm > 1:
        new_l, new_r = _scaled_terms(lhs, lcm), _scaled_terms(rhs, lcm)
        if decimals and 10**6 % lcm == 0:  # denominators from decimals divide a power of ten
            b.add(
                rel(new_l, new_r, evaluate=False),
                "clear decimals",
                f"去小数：方程两边同乘 {lcm}，把小数系数变成整数",
                f"Multiply both sides by {lcm} so every decimal becomes a whole number.",
            )
        else:
            b.add(
                rel(new_l, new_r, evaluate=False),
                "clear denominators",
                f"去分母：方程两边的每一项都乘以各分母的最小公倍数 {lcm}（不要漏乘不含分母的项）",
                f"Clear the fractions: multiply every term on both sides by {lcm}, the least common "
                f"multiple of the denominators (terms without a denominator too).",
            )
        lhs, rhs = new_l, new_r
    if _has_brackets(lhs) or _has_brackets(rhs):
        lhs, rhs = sympy.expand(lhs), sympy.expand(rhs)
        b.add(
            rel(lhs, rhs, evaluate=False),
            "expand brackets",
            "去括号：用乘法分配律把括号外的数乘到括号里的每一项（括号前是负号时，括号里各项都要变号）",
            "Remove the brackets: multiply the number outside by every term inside (distributive law); "
            "a minus sign in front changes the sign of every term inside.",
        )
    return sympy.expand(lhs.doit()), sympy.expand(rhs.doit())


def _linear_core(
    b: StepBuilder, rel: type, lhs: sympy.Expr, rhs: sympy.Expr, x: sympy.Symbol
) -> tuple[sympy.Expr, sympy.Expr]:
    """移项 and 合并同类项: returns (a, c) with a*x rel c."""
    var_l = [t for t in sympy.Add.make_args(lhs) if t.has(x)]
    con_l = [t for t in sympy.Add.make_args(lhs) if not t.has(x) and t != 0]
    var_r = [t for t in sympy.Add.make_args(rhs) if t.has(x)]
    con_r = [t for t in sympy.Add.make_args(rhs) if not t.has(x) and t != 0]
    if var_r or con_l:
        left_terms = var_l + [-t for t in var_r] or [sympy.Integer(0)]
        right_terms = con_r + [-t for t in con_l] or [sympy.Integer(0)]
        moved = rel(
            sympy.Add(*left_terms, evaluate=False) if len(left_terms) > 1 else left_terms[0],
            sympy.Add(*right_terms, evaluate=False) if len(right_terms) > 1 else right_terms[0],
            evaluate=False,
        )
        shifted = [t for t in var_r] + [t for t in con_l]
        names = "、".join(sympy.latex(t) for t in shifted)
        names_en = ", ".join(sympy.latex(t) for t in shifted)
        b.add(
            moved,
            "move terms",
            f"移项：把 {names} 移到等号（不等号）的另一边，移过去要变号；含 {x} 的项放左边，常数项放右边",
            f"Move {names_en} to the other side, changing its sign: terms with {x} go to the left, "
            "plain numbers to the right.",
        )
    a = sympy.expand(sum(var_l, sympy.Integer(0)) - sum(var_r, sympy.Integer(0))).coeff(x)
    c = sympy.expand(sum(con_r, sympy.Integer(0)) - sum(con_l, sympy.Integer(0)))
    if len(var_l) + len(var_r) > 1 or len(con_l) + len(con_r) > 1:
        b.add(
            rel(sympy.Mul(a, x, evaluate=False) if a not in (1, -1) else a * x, c, evaluate=False),
            "combine like terms",
            f"合并同类项：把含 {x} 的项的系数相加，得 {sympy.latex(a)}{x}；常数项相加得 {sympy.latex(c)}",
            f"Combine like terms: add the coefficients of the {x}-terms to get {sympy.latex(a)}{x}, "
            f"and add the numbers to get {sympy.latex(c)}.",
        )
    return a, c


def _linear(
    problem_latex: str,
    eq: sympy.Basic,
    x: sympy.Symbol,
    decimals: bool,
    kind: str,
    builder: StepBuilder | None = None,
) -> Solution:
    rel = type(eq)
    b = builder or StepBuilder(eq, [x], "statement", latex=problem_latex)
    lhs, rhs = _clear_and_expand(b, rel, eq.lhs, eq.rhs, decimals)
    a, c = _linear_core(b, rel, lhs, rhs, x)
    if a == 0:
        truth = sympy.S.true if (rel(0, c) is sympy.S.true) else sympy.S.false
        if truth is sympy.S.false:
            b.add(
                sympy.S.EmptySet,
                "no solution",
                "方程（不等式）不成立，无解",
                "The statement is never true: no solution.",
                latex=r"\varnothing",
            )
            answer = r"\varnothing"
        else:
            b.add(
                sympy.S.Reals,
                "all reals",
                "对任意实数都成立",
                "True for every real number.",
                latex=r"x \in \mathbb{R}",
            )
            answer = r"x \in \mathbb{R}"
        return Solution(kind, b.steps, answer, "equation" if rel is sympy.Eq else "inequality")
    value = c / a
    final_rel = rel if a > 0 or rel is sympy.Eq else _FLIP[rel]
    if a != 1:
        if rel is not sympy.Eq and a < 0:
            zh, en = (
                f"两边同除以 {sympy.latex(a)}，不等号方向改变",
                f"Divide both sides by {sympy.latex(a)}; dividing by a negative flips the sign.",
            )
            rule = "divide (flip sign)"
        else:
            zh, en = f"系数化为1：两边同除以 {sympy.latex(a)}", f"Divide both sides by {sympy.latex(a)}."
            rule = "divide by coefficient"
        b.add(final_rel(x, value), rule, zh, en)
    if rel is sympy.Eq:
        answer = format_value(Interpreted("equation", sympy.FiniteSet(value), (x.name,)))
        return Solution(kind, b.steps, answer, "equation")
    answer = format_value(Interpreted("inequality", final_rel(x, value).as_set(), (x.name,)))
    return Solution(kind, b.steps, answer, "inequality")


def _roots_state(x: sympy.Symbol, roots: list[sympy.Expr]) -> sympy.Basic:
    uniq = list(dict.fromkeys(sympy.nsimplify(r) for r in roots))
    return sympy.Or(*[sympy.Eq(x, r) for r in uniq]) if len(uniq) > 1 else sympy.Eq(x, uniq[0])


def _roots_latex(x: sympy.Symbol, roots: list[sympy.Expr]) -> str:
    if len(roots) == 2 and sympy.simplify(roots[0] - roots[1]) == 0:
        return rf"{x.name}_1 = {x.name}_2 = {sympy.latex(roots[0])}"
    return ", ".join(rf"{x.name}_{i + 1} = {sympy.latex(r)}" for i, r in enumerate(roots))


def _quadratic(
    problem_latex: str,
    eq: sympy.Eq,
    x: sympy.Symbol,
    method: str | None,
    builder: StepBuilder | None = None,
) -> Solution:
    b = builder or StepBuilder(eq, [x], "statement", latex=problem_latex)
    lhs, rhs = eq.lhs, eq.rhs
    # (x + p)^2 = q: take square roots directly
    if (
        method in (None, "square_root")
        and isinstance(lhs, sympy.Pow)
        and lhs.exp == 2
        and not rhs.has(x)
        and sympy.degree(lhs.base, x) == 1
    ):
        return _square_root(b, lhs.base, rhs, x)
    expr = sympy.expand(lhs - rhs)
    direct = sympy.Poly(expr, x).coeff_monomial(x) == 0 and method in (None, "square_root")
    if render(b.state) != render(sympy.Eq(expr, 0)) and not direct:
        b.add(
            sympy.Eq(expr, 0),
            "standard form",
            "移项并整理成一般形式 ax²+bx+c=0：所有项移到左边，右边是 0，按 x 的次数从高到低排列",
            "Move every term to the left so the right side is 0, and order the terms by power of x: "
            "ax^2 + bx + c = 0.",
        )
    poly = sympy.Poly(expr, x)
    a2, b1, c0 = (poly.coeff_monomial(x**k) for k in (2, 1, 0))
    if method is None:
        disc = b1**2 - 4 * a2 * c0
        rational = disc >= 0 and sympy.sqrt(disc).is_rational
        method = "square_root" if b1 == 0 else "factoring" if rational else "formula"
    if method == "square_root" and b1 == 0:
        isolated = sympy.Eq(a2 * x**2, -c0)
        if render(b.state) != render(isolated):
            b.add(
                isolated,
                "isolate the square",
                "移项：把常数项移到等号右边，只留下含 x² 的项",
                "Move the number to the right side so only the x^2 term is left.",
            )
        return _square_root(b, x, -c0 / a2, x)
    if method == "factoring":
        factored = sympy.factor(expr)
        b.add(
            sympy.Eq(factored, 0),
            "factor",
            f"因式分解：把左边 {sympy.latex(expr)} 写成两个一次式的积（十字相乘法或公式法）",
            f"Factor the left side {sympy.latex(expr)} into a product of two linear factors.",
        )
        roots = sorted(sympy.roots(poly).keys(), key=lambda r: float(r))
        factors = [f for f, _ in sympy.factor_list(expr)[1]]
        if len(factors) == 2:
            b.add(
                sympy.Or(*[sympy.Eq(f, 0) for f in factors]),
                "zero product",
                "两个因式的积等于 0，那么至少有一个因式等于 0，所以让每个因式分别等于 0",
                "A product is zero only when one of its factors is zero, so set each factor to zero.",
            )
        full = [r for r, m in sympy.roots(poly).items() for _ in range(m)]
        b.add(
            _roots_state(x, roots),
            "solve each factor",
            "分别解这两个一元一次方程，得到方程的两个根",
            "Solve each of the two linear equations: they give the two roots.",
            latex=_roots_latex(x, sorted(full, key=float)),
        )
        return _finish(b, x, roots)
    disc = b1**2 - 4 * a2 * c0
    zh = f"a={sympy.latex(a2)}, b={sympy.latex(b1)}, c={sympy.latex(c0)}, Δ=b²-4ac={sympy.latex(disc)}"
    if disc < 0:
        b.add(
            sympy.S.EmptySet,
            "discriminant negative",
            zh + " < 0：判别式小于 0，方程没有实数根",
            f"a = {a2}, b = {b1}, c = {c0}; the discriminant b^2-4ac = {disc} is negative, so there is "
            "no real root.",
            latex=r"\varnothing",
        )
        return Solution("quadratic_equation", b.steps, r"\varnothing", "equation")
    sq = sympy.sqrt(disc)
    shown = (
        rf"{x.name} = \frac{{{sympy.latex(-b1)} \pm \sqrt{{{sympy.latex(disc)}}}}}{{{sympy.latex(2 * a2)}}}"
    )
    roots = [sympy.radsimp((-b1 - sq) / (2 * a2)), sympy.radsimp((-b1 + sq) / (2 * a2))]
    b.add(
        _roots_state(x, roots),
        "quadratic formula",
        zh + "，代入求根公式 x=(-b±√Δ)/(2a)",
        f"Discriminant {disc}; use x = (-b ± sqrt(b^2-4ac)) / (2a).",
        latex=shown,
    )
    b.add(
        _roots_state(x, roots),
        "simplify roots",
        "化简：分别取 + 和 -，得到两个根",
        "Simplify: take + and - in turn to get the two roots.",
        latex=_roots_latex(x, sorted(roots, key=float)),
    )
    return _finish(b, x, roots)


def _square_root(b: StepBuilder, base: sympy.Expr, value: sympy.Expr, x: sympy.Symbol) -> Solution:
    sq_state = sympy.Eq(base**2, value)
    if render(b.state) != render(sq_state):
        b.add(
            sq_state,
            "isolate the square",
            "两边同除以二次项系数，使平方项单独在一边",
            "Divide both sides by the coefficient of the square so the square stands alone.",
        )
    if value < 0:
        b.add(
            sympy.S.EmptySet,
            "negative square",
            "平方不能为负数，方程无实数根",
            "A square cannot be negative: no real roots.",
            latex=r"\varnothing",
        )
        return Solution("quadratic_equation", b.steps, r"\varnothing", "equation")
    r = sympy.sqrt(value)
    b.add(
        sympy.Or(sympy.Eq(base, r), sympy.Eq(base, -r)) if r != 0 else sympy.Eq(base, 0),
        "square root",
        "直接开平方：一个正数的平方根有两个，它们互为相反数（±）",
        "Take the square root of both sides: a positive number has two square roots, + and -.",
        latex=rf"{sympy.latex(base)} = \pm {sympy.latex(r)}",
    )
    roots = sorted(
        {s for s in sympy.solve(sympy.Eq(base, r), x) + sympy.solve(sympy.Eq(base, -r), x)}, key=float
    )
    b.add(
        _roots_state(x, roots),
        "solve",
        "分别解这两个一元一次方程，得到两个根",
        "Solve each of the two linear equations for the unknown.",
        latex=_roots_latex(x, roots),
    )
    return _finish(b, x, roots)


def _finish(b: StepBuilder, x: sympy.Symbol, roots: list[sympy.Expr]) -> Solution:
    answer = format_value(Interpreted("equation", sympy.FiniteSet(*roots), (x.name,)))
    return Solution("quadratic_equation", b.steps, answer, "equation")


def solve_linear_or_quadratic(
    problem_latex: str,
    eq: sympy.Eq,
    x: sympy.Symbol,
    *,
    decimals: bool = False,
    method: str | None = None,
    builder: StepBuilder | None = None,
) -> Solution:
    """Dispatch on the degree of ``eq`` in ``x``; ``builder`` continues another solver's steps."""
    degree = sympy.Poly(sympy.expand(eq.lhs - eq.rhs), x).degree()
    if degree <= 1:
        return _linear(problem_latex, eq, x, decimals, "linear_equation", builder)
    if degree == 2:
        return _quadratic(problem_latex, eq, x, method, builder)
    raise ValueError("degree")


def solve_inequality(
    problem_latex: str,
    rel: sympy.Rel,
    x: sympy.Symbol,
    *,
    decimals: bool = False,
    builder: StepBuilder | None = None,
) -> Solution:
    """Linear inequality; dividing by a negative coefficient flips the sign (and says so)."""
    return _linear(problem_latex, rel, x, decimals, "linear_inequality", builder)


def solve_system(
    problem_latex: str,
    eqs: tuple[sympy.Eq, sympy.Eq],
    x: sympy.Symbol,
    y: sympy.Symbol,
    method: str | None = None,
) -> Solution:
    """2x2 linear system: substitution when a coefficient is ±1, otherwise elimination."""
    b = StepBuilder(eqs, [x, y], "statement", latex=problem_latex)
    rows = []
    for e in eqs:
        expr = sympy.expand(e.lhs - e.rhs)
        rows.append((expr.coeff(x), expr.coeff(y), -expr.subs({x: 0, y: 0})))
    std = tuple(sympy.Eq(a * x + c * y, d) for a, c, d in rows)
    (a1, b1, c1), (a2, b2, c2) = rows
    if method is None:
        method = "substitution" if any(abs(v) == 1 for v in (b1, b2, a1, a2)) else "elimination"
    if method == "elimination" and any(render(s) != render(e) for s, e in zip(std, eqs, strict=True)):
        b.add(std, "standard form", "整理成 ax+by=c 的形式", "Write each equation as ax + by = c.")
    if method == "substitution":
        # isolate the variable with coefficient ±1
        options = [(i, v) for i in (0, 1) for v in (y, x) if abs(rows[i][0 if v == x else 1]) == 1]
        i, v = options[0] if options else (0, y)
        other = x if v == y else y
        a, bb, c = rows[i]
        cv, co = (a, bb) if v == x else (bb, a)
        expr_v = sympy.expand((c - co * other) / cv)
        isolated = sympy.Eq(v, expr_v)
        keep = std[1 - i]
        b.add(
            (isolated, keep) if i == 0 else (keep, isolated),
            "isolate",
            f"由第{i + 1}个方程用 {other} 表示 {v}",
            f"Solve equation {i + 1} for {v}.",
        )
        substituted = sympy.Eq(keep.lhs.subs(v, expr_v), keep.rhs)
        b.add(
            (isolated, substituted),
            "substitute",
            f"把 {v} 代入另一个方程，消去 {v}",
            f"Substitute {v} into the other equation to eliminate it.",
        )
        val = sympy.solve(substituted, other)[0]
        b.add(
            (isolated, sympy.Eq(other, val)),
            "solve one unknown",
            f"解这个一元一次方程得 {other}",
            f"Solve the one-unknown equation for {other}.",
        )
        vv = expr_v.subs(other, val)
        final = {v: vv, other: val}
    else:
        lcm = sympy.ilcm(int(abs(b1)), int(abs(b2))) if b1 != 0 and b2 != 0 else 1
        k1, k2 = (lcm / b1, lcm / b2) if b1 != 0 and b2 != 0 else (1, 1)
        e1 = sympy.Eq(sympy.expand(k1 * (a1 * x + b1 * y)), k1 * c1)
        e2 = sympy.Eq(sympy.expand(k2 * (a2 * x + b2 * y)), k2 * c2)
        if k1 != 1 or k2 != 1:
            b.add(
                (e1, e2),
                "scale",
                "把方程两边乘以适当的数，使 y 的系数相等",
                "Multiply the equations so the y-coefficients match.",
            )
        diff = sympy.Eq(sympy.expand(e1.lhs - e2.lhs), sympy.expand(e1.rhs - e2.rhs))
        b.add((e1, diff), "eliminate", "两式相减，消去 y", "Subtract the equations to eliminate y.")
        val = sympy.solve(diff, x)[0]
        b.add((e1, sympy.Eq(x, val)), "solve one unknown", "解得 x", "Solve for x.")
        yv = sympy.solve(sympy.Eq(a1 * val + b1 * y, c1), y)[0]
        final = {x: val, y: yv}
    b.add(
        (sympy.Eq(x, final[x]), sympy.Eq(y, final[y])),
        "back-substitute",
        "代入求另一个未知数",
        "Substitute back to find the other unknown.",
    )
    answer = format_value(Interpreted("pair", (final[x], final[y]), (x.name, y.name)))
    return Solution("linear_system", b.steps, answer, "pair")
