"""Step-by-step solvers beyond linear/quadratic: fractional, radical and absolute-value equations,
chained inequalities, systems of inequalities, higher-degree polynomial equations that factor over
the rationals, and function evaluation.

Fractional and radical equations clear a denominator or square both sides: those steps may add
roots, so they are marked ``implied`` and every solver here ends with a 检验 (check) step that keeps
only the candidates satisfying the original equation, checked by :meth:`StepBuilder.check_roots`
against the problem itself.
"""

from __future__ import annotations

from functools import reduce

import sympy

from tutor.errors import UnprocessableError
from tutor.math.answers import Interpreted, format_value
from tutor.math.solver_equations import solve_inequality, solve_linear_or_quadratic
from tutor.math.steps import Solution, StepBuilder, latex, render

__all__ = [
    "solve_abs_equation",
    "solve_abs_inequality",
    "solve_chained_inequality",
    "solve_evaluate_function",
    "solve_fractional",
    "solve_inequality_system",
    "solve_polynomial_by_factoring",
    "solve_radical",
]

_REL_LATEX = {sympy.Lt: "<", sympy.Le: r"\le", sympy.Gt: ">", sympy.Ge: r"\ge", sympy.Eq: "="}
_FLIP = {sympy.Lt: sympy.Gt, sympy.Gt: sympy.Lt, sympy.Le: sympy.Ge, sympy.Ge: sympy.Le}


def _refuse(en: str, zh: str) -> UnprocessableError:
    return UnprocessableError(en, detail_zh=zh)


def _roots_state(x: sympy.Symbol, roots: list[sympy.Expr]) -> sympy.Basic:
    if not roots:
        return sympy.S.EmptySet
    if len(roots) == 1:
        return sympy.Eq(x, roots[0])
    return sympy.Or(*[sympy.Eq(x, r) for r in roots])


def _roots_latex(x: sympy.Symbol, roots: list[sympy.Expr]) -> str:
    if not roots:
        return r"\varnothing"
    if len(roots) == 1:
        return f"{x.name} = {sympy.latex(roots[0])}"
    return ", ".join(rf"{x.name}_{i + 1} = {sympy.latex(r)}" for i, r in enumerate(roots))


def _equation_answer(x: sympy.Symbol, roots: list[sympy.Expr]) -> str:
    if not roots:
        return r"\varnothing"
    return format_value(Interpreted("equation", sympy.FiniteSet(*roots), (x.name,)))


def _real_roots(expr: sympy.Expr, x: sympy.Symbol) -> list[sympy.Expr]:
    found = sympy.solveset(sympy.Eq(expr, 0), x, domain=sympy.S.Reals)
    if not isinstance(found, sympy.FiniteSet):
        raise _refuse("The equation's solutions are not a finite list.", "这个方程的解不是有限个数。")
    return sorted(found, key=lambda r: float(r))


def _polish(b: StepBuilder, eq: sympy.Eq, x: sympy.Symbol) -> list[sympy.Expr]:
    """Solve the polynomial equation ``eq`` on the builder (linear, quadratic or by factoring)."""
    degree = sympy.Poly(sympy.expand(eq.lhs - eq.rhs), x).degree()
    if degree <= 2:
        solve_linear_or_quadratic("", eq, x, builder=b)
    else:
        solve_polynomial_by_factoring("", eq, x, builder=b)
    state = b.state
    if state == sympy.S.EmptySet or state is sympy.S.false:
        return []
    if state == sympy.S.Reals:
        raise _refuse(
            "After clearing, every number satisfies the equation: not supported here.",
            "去分母（或平方）后方程对任意数都成立，暂不支持。",
        )
    found = sympy.solveset(state, x, domain=sympy.S.Reals) if isinstance(state, sympy.Eq) else None
    if isinstance(state, sympy.Or):
        found = sympy.Union(*[sympy.solveset(a, x, domain=sympy.S.Reals) for a in state.args])
    if not isinstance(found, sympy.FiniteSet):
        raise _refuse("The candidate roots are not a finite list.", "候选根不是有限个数。")
    return sorted(found, key=lambda r: float(r))


def _satisfies(eq: sympy.Eq, x: sympy.Symbol, r: sympy.Expr) -> bool:
    lhs, rhs = eq.lhs.subs(x, r), eq.rhs.subs(x, r)
    if any(v.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) for v in (lhs, rhs)):
        return False
    if not (lhs.is_real and rhs.is_real):
        return False
    return bool(sympy.simplify(lhs - rhs) == 0)


# ---------------------------------------------------------------- fractional equations


def _denominators(side: sympy.Expr, x: sympy.Symbol) -> list[sympy.Expr]:
    dens = []
    for term in sympy.Add.make_args(sympy.together(side) if not isinstance(side, sympy.Add) else side):
        den = sympy.fraction(sympy.together(term))[1]
        if den.has(x):
            dens.append(sympy.factor(den))
    return dens


def solve_fractional(problem_latex: str, eq: sympy.Eq, x: sympy.Symbol) -> Solution:
    """分式方程: multiply by the least common denominator (may add roots), solve, check (检验)."""
    b = StepBuilder(eq, [x], "statement", latex=problem_latex)
    dens = _denominators(eq.lhs, x) + _denominators(eq.rhs, x)
    lcd = sympy.factor(reduce(sympy.lcm, dens, sympy.Integer(1)))
    const_lcm = reduce(
        sympy.ilcm,
        [
            int(sympy.fraction(sympy.together(t))[1].as_coeff_Mul()[0])
            for t in sympy.Add.make_args(eq.lhs - eq.rhs)
        ],
        1,
    )
    if const_lcm > 1:
        lcd = sympy.factor(lcd * const_lcm)
    new_l = sympy.expand(sympy.cancel(eq.lhs * lcd))
    new_r = sympy.expand(sympy.cancel(eq.rhs * lcd))
    if new_l.has(x) is False and new_r.has(x) is False and new_l == new_r:
        raise _refuse("After clearing the denominators nothing is left to solve.", "去分母后没有未知数了。")
    cleared = sympy.Eq(new_l, new_r)
    b.add(
        cleared,
        "clear denominators",
        f"去分母：方程两边同乘最简公分母 {sympy.latex(lcd)}，把分式方程化为整式方程"
        "（这样做可能产生增根，最后要检验）",
        f"Multiply both sides by the lowest common denominator {sympy.latex(lcd)} to get an equation "
        "without fractions (this can bring in roots that do not work, so we check them at the end).",
        implied=True,
    )
    candidates = _polish(b, cleared, x)
    kept = [r for r in candidates if _satisfies(eq, x, r) and lcd.subs(x, r) != 0]
    dropped = [r for r in candidates if r not in kept]
    if dropped:
        names = "、".join(f"{x} = {sympy.latex(r)}" for r in dropped)
        names_en = ", ".join(f"{x} = {sympy.latex(r)}" for r in dropped)
        zh = (
            f"检验：把 {names} 代入最简公分母 {sympy.latex(lcd)}，结果为 0（原方程的分母为 0，没有意义），"
            f"所以它是增根，舍去" + ("；原方程无解" if not kept else "")
        )
        en = (
            f"Check: {names_en} makes the common denominator {sympy.latex(lcd)} equal to 0, so a "
            "denominator of the original equation would be 0: it is an extraneous root and is rejected"
            + ("; the equation has no solution." if not kept else ".")
        )
    else:
        names = "、".join(f"{x} = {sympy.latex(r)}" for r in kept)
        zh = f"检验：把 {names} 代入最简公分母 {sympy.latex(lcd)}，结果不为 0，所以它是原方程的解"
        en = (
            f"Check: the common denominator {sympy.latex(lcd)} is not 0 at "
            f"{', '.join(f'{x} = {sympy.latex(r)}' for r in kept)}, so it is a solution."
        )
    b.check_roots(_roots_state(x, kept), "check roots", zh, en, latex=_roots_latex(x, kept))
    return Solution("fractional_equation", b.steps, _equation_answer(x, kept), "equation")


# ---------------------------------------------------------------- radical equations


def solve_radical(problem_latex: str, eq: sympy.Eq, x: sympy.Symbol) -> Solution:
    """无理方程 √A = B: isolate the root, square both sides (may add roots), solve, check."""
    expr = sympy.expand(eq.lhs - eq.rhs)
    radicals = [t for t in sympy.Add.make_args(expr) if t.has(x) and _radical_of(t, x) is not None]
    if len(radicals) != 1:
        raise _refuse(
            "Only equations with one square root of the unknown are supported.",
            "只支持含一个关于未知数的二次根式的方程。",
        )
    term = radicals[0]
    coeff, inner = _radical_of(term, x)  # type: ignore[misc]
    rest = sympy.expand(-(expr - term))
    b = StepBuilder(eq, [x], "statement", latex=problem_latex)
    isolated = sympy.Eq(coeff * sympy.sqrt(inner), rest)
    if render(isolated) != render(eq):
        b.add(
            isolated,
            "isolate the root",
            "移项：让根式单独留在等号一边，其余各项移到另一边",
            "Move the other terms across so the square root stands alone on one side.",
        )
    squared = sympy.Eq(sympy.expand(coeff**2 * inner), sympy.expand(rest**2))
    b.add(
        squared,
        "square both sides",
        f"两边平方，去掉根号：(√{sympy.latex(inner)})² = {sympy.latex(inner)}"
        "（平方可能产生增根，最后要检验）",
        f"Square both sides to remove the root: (sqrt({sympy.latex(inner)}))^2 = {sympy.latex(inner)} "
        "(squaring can bring in roots that do not work, so we check them at the end).",
        implied=True,
    )
    candidates = _polish(b, squared, x)
    kept = [r for r in candidates if _satisfies(eq, x, r)]
    dropped = [r for r in candidates if r not in kept]
    parts_zh, parts_en = [], []
    for r in candidates:
        left = sympy.simplify(coeff * sympy.sqrt(inner.subs(x, r)))
        right = sympy.simplify(rest.subs(x, r))
        verdict_zh = "成立，是原方程的根" if r in kept else "不成立（算术平方根不能是负数），是增根，舍去"
        verdict_en = "holds: a root" if r in kept else "fails (a square root is never negative): rejected"
        parts_zh.append(
            f"x = {sympy.latex(r)} 时，左边 = {sympy.latex(left)}，右边 = {sympy.latex(right)}，{verdict_zh}"
        )
        parts_en.append(
            f"at x = {sympy.latex(r)} the left side is {sympy.latex(left)} and the right side "
            f"{sympy.latex(right)}: {verdict_en}"
        )
    zh = "检验：" + "；".join(parts_zh) if candidates else "检验：平方后的方程没有实数根，原方程无解"
    en = "Check: " + "; ".join(parts_en) + "." if candidates else "Check: no candidate roots, so no solution."
    del dropped
    b.check_roots(_roots_state(x, kept), "check roots", zh, en, latex=_roots_latex(x, kept))
    return Solution("radical_equation", b.steps, _equation_answer(x, kept), "equation")


def _radical_of(term: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr] | None:
    coeff, rest = term.as_independent(x, as_Add=False)
    is_root = isinstance(rest, sympy.Pow) and rest.exp == sympy.Rational(1, 2) and rest.base.has(x)
    if is_root and sympy.Poly(rest.base, x).degree() <= 2:
        return coeff, rest.base
    return None


# ---------------------------------------------------------------- absolute values


def _abs_parts(expr: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
    """``expr = k|A| + m`` -> (k, A, m); refuses anything else."""
    abs_terms = [t for t in sympy.Add.make_args(expr) if t.has(sympy.Abs)]
    if len(abs_terms) != 1:
        raise _refuse("Only one absolute value |...| is supported.", "只支持含一个绝对值的式子。")
    k, a = abs_terms[0].as_independent(sympy.Abs, as_Add=False)
    if not isinstance(a, sympy.Abs) or k.has(x):
        raise _refuse("Only c·|A| forms are supported.", "只支持 c·|A| 的形式。")
    m = sympy.expand(expr - abs_terms[0])
    return k, a.args[0], m


def solve_abs_equation(problem_latex: str, eq: sympy.Eq, x: sympy.Symbol) -> Solution:
    """|A| = c (after isolating the absolute value): A = c or A = -c; c < 0 has no solution."""
    b = StepBuilder(eq, [x], "statement", latex=problem_latex)
    k, inner, m = _abs_parts(sympy.expand(eq.lhs - eq.rhs), x)
    value = sympy.simplify(-m / k)
    isolated = sympy.Eq(sympy.Abs(inner), value, evaluate=False)
    if render(isolated) != render(eq) and value >= 0:
        b.add(
            isolated,
            "isolate the absolute value",
            "移项、系数化为 1：让绝对值 |…| 单独留在一边",
            "Move the other terms and divide so the absolute value |...| stands alone.",
        )
    if value.has(x):
        raise _refuse(
            "Only |A| = number is supported (not |A| equal to an expression in the unknown).",
            "只支持 |A| = 常数 的形式。",
        )
    if value < 0:
        b.add(
            sympy.S.EmptySet,
            "negative absolute value",
            f"任何数的绝对值都不小于 0，不可能等于 {sympy.latex(value)}，所以方程无解",
            f"An absolute value is never negative, so it cannot equal {sympy.latex(value)}: no solution.",
            latex=r"\varnothing",
        )
        return Solution("absolute_value_equation", b.steps, r"\varnothing", "equation")
    cases = [sympy.Eq(inner, value)] if value == 0 else [sympy.Eq(inner, value), sympy.Eq(inner, -value)]
    b.add(
        sympy.Or(*cases) if len(cases) > 1 else cases[0],
        "two cases",
        f"绝对值等于 {sympy.latex(value)} 的数是 {sympy.latex(value)} 或 {sympy.latex(-value)}，"
        f"所以 {sympy.latex(inner)} = ±{sympy.latex(value)}",
        f"The numbers whose absolute value is {sympy.latex(value)} are {sympy.latex(value)} and "
        f"{sympy.latex(-value)}, so {sympy.latex(inner)} = ±{sympy.latex(value)}.",
        latex=", ".join(f"{latex(c.lhs)} = {sympy.latex(c.rhs)}" for c in cases) if len(cases) > 1 else None,
    )
    roots = sorted({r for c in cases for r in _real_roots(c.lhs - c.rhs, x)}, key=float)
    b.add(
        _roots_state(x, roots),
        "solve each case",
        "分别解这两个方程",
        "Solve each equation.",
        latex=_roots_latex(x, roots),
    )
    return Solution("absolute_value_equation", b.steps, _equation_answer(x, roots), "equation")


def solve_abs_inequality(problem_latex: str, rel: sympy.Rel, x: sympy.Symbol) -> Solution:
    """|A| < c -> -c < A < c; |A| > c -> A < -c or A > c (A linear)."""
    op = type(rel)
    expr = sympy.expand(rel.lhs - rel.rhs)
    k, inner, m = _abs_parts(expr, x)
    if k < 0:
        op, k, m = _FLIP[op], -k, -m
    value = sympy.simplify(-m / k)
    if value.has(x) or sympy.Poly(inner, x).degree() != 1:
        raise _refuse("Only |ax + b| compared with a number is supported.", "只支持 |ax+b| 与常数比较。")
    b = StepBuilder(rel, [x], "statement", latex=problem_latex)
    isolated = op(sympy.Abs(inner), value)
    if render(isolated) != render(rel):
        b.add(
            isolated,
            "isolate the absolute value",
            "移项、系数化为 1，让绝对值单独在一边",
            "Move the other terms so the absolute value stands alone.",
        )
    a_coef = sympy.Poly(inner, x).coeff_monomial(x)
    c0 = inner - a_coef * x
    if op in (sympy.Lt, sympy.Le):
        if value < 0 or (value == 0 and op is sympy.Lt):
            b.add(
                sympy.S.EmptySet,
                "no solution",
                "绝对值不可能小于负数（或小于 0），无解",
                "An absolute value is never below a negative number (or below 0): no solution.",
                latex=r"\varnothing",
            )
            return Solution("absolute_value_inequality", b.steps, r"\varnothing", "inequality")
        chained = sympy.And(op(-value, inner), op(inner, value))
        sym = _REL_LATEX[op]
        b.add(
            chained,
            "remove the absolute value",
            f"|A| {sym} {sympy.latex(value)} 表示 A 到 0 的距离小于 {sympy.latex(value)}，"
            f"即 {sympy.latex(-value)} {sym} A {sym} {sympy.latex(value)}",
            f"|A| {sym} {sympy.latex(value)} means A is within {sympy.latex(value)} of 0: "
            f"{sympy.latex(-value)} {sym} A {sym} {sympy.latex(value)}.",
            latex=f"{sympy.latex(-value)} {sym} {latex(inner)} {sym} {sympy.latex(value)}",
        )
        return _finish_chained(b, x, -value, op, inner, op, value, a_coef, c0, "absolute_value_inequality")
    if value < 0:
        b.add(
            sympy.S.Reals,
            "all reals",
            "绝对值总是不小于 0，大于负数，对任意实数都成立",
            "An absolute value is never negative, so it is bigger than any negative number: every x works.",
            latex=r"x \in \mathbb{R}",
        )
        return Solution("absolute_value_inequality", b.steps, r"x \in \mathbb{R}", "inequality")
    lo_rel = _FLIP[op]
    union = sympy.Or(lo_rel(inner, -value), op(inner, value))
    b.add(
        union,
        "remove the absolute value",
        f"|A| 大于 {sympy.latex(value)} 表示 A 到 0 的距离大于 {sympy.latex(value)}，"
        f"即 A < {sympy.latex(-value)} 或 A > {sympy.latex(value)}",
        f"|A| > {sympy.latex(value)} means A is farther than {sympy.latex(value)} from 0: "
        f"A < {sympy.latex(-value)} or A > {sympy.latex(value)}.",
    )
    parts = []
    for part in union.args:
        solved = sympy.solve_univariate_inequality(part, x, relational=False)
        parts.append(solved)
    final = sympy.Union(*parts)
    answer = format_value(Interpreted("inequality", final, (x.name,)))
    b.add(
        final.as_relational(x),
        "solve each part",
        "分别解这两个一元一次不等式，两部分合起来就是解集",
        "Solve each linear inequality; the two parts together are the solution set.",
        latex=answer,
    )
    return Solution("absolute_value_inequality", b.steps, answer, "inequality")


# ---------------------------------------------------------------- chained inequalities and systems


def _finish_chained(
    b: StepBuilder,
    x: sympy.Symbol,
    lo: sympy.Expr,
    op1: type,
    mid: sympy.Expr,
    op2: type,
    hi: sympy.Expr,
    a: sympy.Expr,
    c: sympy.Expr,
    kind: str,
) -> Solution:
    def chain(
        low: sympy.Expr, o1: type, m: sympy.Expr, o2: type, high: sympy.Expr
    ) -> tuple[sympy.Basic, str]:
        state = sympy.And(o1(low, m), o2(m, high))
        return state, f"{sympy.latex(low)} {_REL_LATEX[o1]} {latex(m)} {_REL_LATEX[o2]} {sympy.latex(high)}"

    if c != 0:
        state, shown = chain(lo - c, op1, a * x, op2, hi - c)
        b.add(
            state,
            "subtract from every part",
            f"三个部分同时减去 {sympy.latex(c)}（不等号方向不变）",
            f"Subtract {sympy.latex(c)} from all three parts (the signs stay the same).",
            latex=shown,
        )
    lo2, hi2 = (lo - c) / a, (hi - c) / a
    if a > 0:
        if a != 1:
            state, shown = chain(lo2, op1, x, op2, hi2)
            b.add(
                state,
                "divide every part",
                f"三个部分同时除以正数 {sympy.latex(a)}（不等号方向不变）",
                f"Divide all three parts by the positive number {sympy.latex(a)} (signs stay).",
                latex=shown,
            )
        final = sympy.Interval(lo2, hi2, op1 is sympy.Lt, op2 is sympy.Lt)
    else:
        state, shown = chain(hi2, op2, x, op1, lo2)
        b.add(
            state,
            "divide every part (flip)",
            f"三个部分同时除以负数 {sympy.latex(a)}，不等号方向都要改变，再从小到大写",
            f"Divide all three parts by the negative number {sympy.latex(a)}: both signs flip; then write "
            "it from small to large.",
            latex=shown,
        )
        final = sympy.Interval(hi2, lo2, op2 is sympy.Lt, op1 is sympy.Lt)
    answer = format_value(Interpreted("inequality", final, (x.name,)))
    return Solution(kind, b.steps, answer, "inequality")


def solve_chained_inequality(problem_latex: str, state: sympy.And, x: sympy.Symbol) -> Solution:
    """``a < Ax + c < b``: do the same to all three parts."""
    first, second = state.args if len(state.args) == 2 else (None, None)
    if first is None or second is None:
        raise _refuse("Only a < expression < b is supported.", "只支持 a < 式子 < b 的形式。")
    # And sorts its arguments: find the shared middle
    pairs = [(first, second), (second, first)]
    for one, two in pairs:
        for mid in (one.rhs, one.lhs):
            if mid.has(x) and mid in (two.lhs, two.rhs):
                break
        else:
            continue
        break
    else:
        raise _refuse("Only a < expression < b is supported.", "只支持 a < 式子 < b 的形式。")
    lo_rel = one if one.rhs == mid else two
    hi_rel = two if lo_rel is one else one
    if hi_rel.lhs != mid:
        hi_rel = hi_rel.reversed
    if lo_rel.rhs != mid:
        lo_rel = lo_rel.reversed
    op1, op2 = type(lo_rel), type(hi_rel)
    if op1 not in (sympy.Lt, sympy.Le) or op2 not in (sympy.Lt, sympy.Le):
        raise _refuse("Write the chain from small to large: a < ... < b.", "请按从小到大写成 a < … < b。")
    poly = sympy.Poly(sympy.expand(mid), x)
    if poly.degree() != 1:
        raise _refuse("Only a linear middle part is supported.", "中间部分只支持一次式。")
    a, c = poly.coeff_monomial(x), poly.coeff_monomial(1)
    b = StepBuilder(state, [x], "statement", latex=problem_latex)
    return _finish_chained(
        b, x, lo_rel.lhs, op1, sympy.expand(mid), op2, hi_rel.rhs, a, c, "chained_inequality"
    )


def _cases_latex(rels: list[sympy.Basic]) -> str:
    return r"\begin{cases} " + r" \\ ".join(render(r) for r in rels) + r" \end{cases}"


def solve_inequality_system(problem_latex: str, rels: list[sympy.Rel], x: sympy.Symbol) -> Solution:
    """不等式组: solve each inequality, then take the common part."""
    start = sympy.And(*rels, evaluate=False)
    b = StepBuilder(start, [x], "statement", latex=problem_latex)
    solved: list[sympy.Basic] = list(rels)
    sets: list[sympy.Set] = []
    circled = "①②③④⑤⑥"
    for i, rel in enumerate(rels):
        single = solve_inequality("", rel, x)
        final_set = _set_of(single.answer, x)
        sets.append(final_set)
        solved[i] = final_set.as_relational(x)
        b.add(
            sympy.And(*solved, evaluate=False),
            f"solve inequality {i + 1}",
            f"解不等式{circled[i]}：{render(rel)}，移项、合并、系数化为 1，得 {single.answer}",
            f"Solve inequality {i + 1}, {render(rel)}: move terms, combine, divide, giving {single.answer}.",
            latex=_cases_latex(solved),
        )
    common = reduce(sympy.Intersection, sets)
    if common == sympy.S.EmptySet:
        b.add(
            sympy.S.EmptySet,
            "no common part",
            "各个不等式的解集没有公共部分，不等式组无解",
            "The solution sets have no common part: the system has no solution.",
            latex=r"\varnothing",
        )
        return Solution("inequality_system", b.steps, r"\varnothing", "inequality")
    answer = format_value(Interpreted("inequality", common, (x.name,)))
    b.add(
        common.as_relational(x),
        "common part",
        "取各个解集的公共部分（可以在数轴上画出来看：同大取大，同小取小，大小小大中间找）",
        "Take the part the solution sets have in common (draw them on a number line).",
        latex=answer,
    )
    return Solution("inequality_system", b.steps, answer, "inequality")


def _set_of(answer: str, x: sympy.Symbol) -> sympy.Set:
    from tutor.math.answers import read_answer

    value = read_answer(answer, "inequality").value
    if not isinstance(value, sympy.Set):
        raise _refuse("Could not read an inequality's solution.", "无法读取不等式的解集。")
    return value


# ---------------------------------------------------------------- higher degree by factoring


def solve_polynomial_by_factoring(
    problem_latex: str, eq: sympy.Eq, x: sympy.Symbol, builder: StepBuilder | None = None
) -> Solution:
    """Degree >= 3: find a rational root (factor theorem), factor fully, zero product, roots."""
    b = builder or StepBuilder(eq, [x], "statement", latex=problem_latex)
    expr = sympy.expand(eq.lhs - eq.rhs)
    if render(b.state) != render(sympy.Eq(expr, 0)):
        b.add(
            sympy.Eq(expr, 0),
            "standard form",
            "移项，使右边为 0，按 x 的次数从高到低排列",
            "Move every term to the left so the right side is 0, highest power first.",
        )
    poly = sympy.Poly(expr, x)
    rational = sorted({r for r in sympy.roots(poly, filter="Q")}, key=float)
    if not rational:
        raise _refuse(
            f"Equations of degree {poly.degree()} are supported only when they have a rational root.",
            f"{poly.degree()} 次方程只支持有有理根的情形。",
        )
    r = rational[0]
    quotient = sympy.quo(poly, sympy.Poly(x - r, x)).as_expr()
    first = sympy.Eq(sympy.Mul(x - r, quotient, evaluate=False), 0)
    b.add(
        first,
        "factor theorem",
        f"试根：把 x = {sympy.latex(r)} 代入左边得 0，所以 x - ({sympy.latex(r)}) 是左边的一个因式，"
        f"用多项式除法得到另一个因式 {sympy.latex(quotient)}",
        f"Try x = {sympy.latex(r)}: the left side becomes 0, so (x - {sympy.latex(r)}) is a factor; dividing "
        f"gives the other factor {sympy.latex(quotient)}.",
        latex=rf"\left({sympy.latex(x - r)}\right)\left({sympy.latex(quotient)}\right) = 0",
    )
    factored = sympy.factor(expr)
    factors = [f for f, _ in sympy.factor_list(expr)[1]]
    if any(sympy.degree(f, x) > 2 for f in factors):
        raise _refuse(
            "A factor of degree 3 or more remains; not supported.", "还剩三次或更高次的因式，暂不支持。"
        )
    if len(factors) > 2 or sympy.expand(quotient) != sympy.factor(quotient):
        b.add(
            sympy.Eq(factored, 0),
            "factor fully",
            "把剩下的因式继续分解",
            "Factor the remaining factor further.",
        )
    b.add(
        sympy.Or(*[sympy.Eq(f, 0) for f in factors]) if len(factors) > 1 else sympy.Eq(factors[0], 0),
        "zero product",
        "几个因式的积等于 0，那么至少有一个因式等于 0，让每个因式分别等于 0",
        "A product is zero only when one of its factors is zero: set each factor to zero.",
    )
    roots = sorted({rt for f in factors for rt in _real_roots(f, x)}, key=float)
    b.add(
        _roots_state(x, roots),
        "solve each factor",
        "分别解每个方程，得到所有的根",
        "Solve each equation to get all the roots.",
        latex=_roots_latex(x, roots),
    )
    return Solution("polynomial_equation", b.steps, _equation_answer(x, roots), "equation")


# ---------------------------------------------------------------- functions


def solve_evaluate_function(
    problem_latex: str, name: str, x: sympy.Symbol, body: sympy.Expr, at: sympy.Expr
) -> Solution:
    """已知 f(x) = ..., 求 f(a): substitute a for x, then work it out."""
    value = sympy.nsimplify(body.subs(x, at))
    b = StepBuilder(value, [], "expression", latex=problem_latex)
    shown_at = rf"\left({sympy.latex(at)}\right)" if at.is_negative or not at.is_Integer else sympy.latex(at)
    substituted = latex(body.subs(x, sympy.Symbol(shown_at)))
    b.add(
        value,
        "substitute",
        f"把 x = {sympy.latex(at)} 代入 {name}(x) = {sympy.latex(body)}，每个 x 都换成 {sympy.latex(at)}",
        f"Put x = {sympy.latex(at)} into {name}(x) = {sympy.latex(body)}: replace every x with "
        f"{sympy.latex(at)}.",
        latex=f"{name}({sympy.latex(at)}) = {substituted}",
    )
    b.add(
        value,
        "evaluate",
        "按运算顺序计算：先乘方，再乘除，最后加减",
        "Work it out in order: powers first, then multiply and divide, then add and subtract.",
        latex=f"{name}({sympy.latex(at)}) = {sympy.latex(value)}",
    )
    return Solution("function_value", b.steps, format_value(Interpreted("number", value)), "number")
