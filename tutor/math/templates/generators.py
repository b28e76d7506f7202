"""One parametrised template per knowledge point (all 33 codes of ``seed_data/curriculum.yaml``).

Templates work backwards from a chosen answer (roots, solution, value) so numbers stay friendly;
``level`` 0..2 widens coefficient ranges and adds negatives, fractions and extra steps. The engine
then solves each draft and must reach the same answer before an item is published.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import sympy

from tutor.math.templates.base import Draft, latex_arith, plain

__all__ = ["TEMPLATES"]

R = random.Random
x, y = sympy.symbols("x y")


def _nz(rng: R, lo: int, hi: int) -> int:
    while True:
        v = rng.randint(lo, hi)
        if v != 0:
            return v


def _span(level: int, small: int = 9) -> int:
    return small * (1 + level)


def _p(n: int) -> str:
    """A signed number as it appears inside an expression: -3 -> (-3)."""
    return f"({n})" if n < 0 else str(n)


def _s(expr: sympy.Basic) -> str:
    return plain(sympy.sstr(expr))


def _answer_num(v: sympy.Expr) -> str:
    return sympy.sstr(sympy.nsimplify(v))


def _solve_stems(math: str) -> tuple[str, str]:
    return f"解方程：{math}", f"Solve: {math}"


def _calculation(text: str, value: sympy.Expr, level: int) -> Draft:
    """A "calculate this" exercise whose expected answer is the number ``value``."""
    return Draft(
        text,
        None,
        "number",
        _answer_num(value),
        f"计算：{text}",
        f"Calculate: {text}",
        latex_arith(text),
        level=level,
    )


def num_integers(rng: R, level: int) -> Draft:
    n = 3 + (level > 0)
    nums = [_nz(rng, -_span(level, 12), _span(level, 12)) for _ in range(n)]
    ops = [rng.choice("+-") for _ in range(n - 1)]
    text = _p(nums[0]) if level else str(nums[0])
    for op, v in zip(ops, nums[1:], strict=True):
        text += f" {op} {_p(v)}"
    value = sympy.sympify(text.replace(" ", ""))
    return _calculation(text, value, level)


def num_integer_muldiv(rng: R, level: int) -> Draft:
    a, c = _nz(rng, -_span(level), _span(level)), _nz(rng, -9, 9)
    b = _nz(rng, -9, 9) * (c if level else 1)
    text = f"{_p(a * c)} * {_p(b)} / {_p(c)}" if level else f"{_p(a)} * {_p(b)}"
    text = text.replace("/", " / ").replace("  ", " ")
    if level == 2:
        text = f"{_p(a * c)} / {_p(c)} * {_p(b)}"
    value = sympy.sympify(text)
    shown = text.replace("*", "×").replace("/", "÷")
    return Draft(
        text,
        None,
        "number",
        _answer_num(value),
        f"计算：{shown}",
        f"Calculate: {shown}",
        latex_arith(text),
        level=level,
    )


def num_order_of_operations(rng: R, level: int) -> Draft:
    a, b, c, d = (rng.randint(1, _span(level)) for _ in range(4))
    forms = [f"{a} + {b} * {c}", f"{a} + {b} * ({c} - {d})", f"({a} - {b}) * {c} - {d} * {_p(-a)}"]
    text = forms[min(level, 2)]
    value = sympy.sympify(text)
    shown = text.replace("*", "×")
    return Draft(
        text,
        None,
        "number",
        _answer_num(value),
        f"计算：{shown}",
        f"Calculate: {shown}",
        latex_arith(text),
        level=level,
    )


def num_powers(rng: R, level: int) -> Draft:
    a, n = rng.randint(2, 5), rng.randint(2, 3)
    b = rng.randint(2, 4)
    forms = [f"{a}^{n}", f"(-{a})^{n} + {b}^2", f"-{a}^{n} - (-{b})^3 * 2"]
    text = forms[min(level, 2)]
    value = sympy.sympify(text.replace("^", "**"))
    return _calculation(text, value, level)


def frac_simplify(rng: R, level: int) -> Draft:
    while True:
        m, n = rng.randint(1, 9), rng.randint(2, 12)
        if sympy.gcd(m, n) == 1 and m != n:
            break
    k = rng.randint(2, 4 + 4 * level)
    text = f"{m * k}/{n * k}"
    return Draft(
        text,
        None,
        "number",
        f"{m}/{n}",
        f"约分：{text}",
        f"Simplify the fraction {text}",
        latex_arith(text),
        level=level,
    )


def _fraction(rng: R, level: int) -> sympy.Rational:
    while True:
        q = rng.randint(2, 6 + 3 * level)
        p = _nz(rng, -q + 1, 2 * q) if level == 2 else rng.randint(1, q - 1 + level * q)
        f = sympy.Rational(p, q)
        if f.q != 1:
            return f


def _ftext(f: sympy.Rational, wrap: bool = False) -> str:
    return f"({f.p}/{f.q})" if f.p < 0 or wrap else f"{f.p}/{f.q}"


def frac_add_sub(rng: R, level: int) -> Draft:
    f, g = _fraction(rng, level), _fraction(rng, level)
    op = rng.choice("+-") if level else "+"
    text = f"{_ftext(f)} {op} {_ftext(g)}"
    value = f + g if op == "+" else f - g
    return _calculation(text, value, level)


def frac_mul_div(rng: R, level: int) -> Draft:
    f, g = _fraction(rng, level), _fraction(rng, level)
    op = rng.choice("*/") if level else "*"
    text = f"{_ftext(f)} {op} {_ftext(g, wrap=op == '/')}".replace("*", " * ").replace(" /  ", " / ")
    text = f"{_ftext(f)} * {_ftext(g)}" if op == "*" else f"{_ftext(f)} / {_ftext(g, wrap=True)}"
    value = f * g if op == "*" else f / g
    shown = text.replace(" * ", " × ").replace(" / ", " ÷ ")
    return Draft(
        text,
        None,
        "number",
        _answer_num(value),
        f"计算：{shown}",
        f"Calculate: {shown}",
        latex_arith(text),
        level=level,
    )


def num_decimals_percent(rng: R, level: int) -> Draft:
    if level == 0:
        p, n = rng.choice([10, 20, 25, 50, 75]), rng.randint(2, 20) * 4
        text = f"{p}% * {n}"
        zh, en = f"求 {n} 的 {p}%", f"Find {p}% of {n}"
        value = sympy.Rational(p, 100) * n
        stem = rf"{p}\% \times {n}"
    else:
        a, b, c = (sympy.Rational(rng.randint(1, 40 * level), 10) for _ in range(3))
        text = f"{float(a):g} + {float(b):g} * {float(c):g}"
        zh, en = f"计算：{text.replace('*', '×')}", f"Calculate: {text.replace('*', '×')}"
        value = a + b * c
        stem = latex_arith(text)
    return Draft(text, None, "number", _answer_num(value), zh, en, stem, level=level)


def expr_evaluate(rng: R, level: int) -> Draft:
    a, b, c = _nz(rng, -5, 5), _nz(rng, -9, 9), rng.randint(-9, 9)
    v = _nz(rng, -3 - level, 3 + level)
    expr = a * x**2 + b * x + c if level else b * x + c
    text = _s(expr)
    value = expr.subs(x, v)
    return Draft(
        f"{text}, x = {v}",
        "evaluate",
        "number",
        _answer_num(value),
        f"当 x = {v} 时，求 {text} 的值",
        f"Evaluate {text} when x = {v}",
        stem_latex=rf"{sympy.latex(expr)} \quad (x = {v})",
        level=level,
    )


def expr_like_terms(rng: R, level: int) -> Draft:
    cs = [_nz(rng, -_span(level), _span(level)) for _ in range(4)]
    parts = [(cs[0], "x"), (cs[1], "y"), (cs[2], "x"), (cs[3], "y")]
    if level == 2:
        parts.append((_nz(rng, -9, 9), ""))
    text = " + ".join(f"{c}{v}" if v else str(c) for c, v in parts).replace("+ -", "- ")
    value = sympy.sympify(text.replace("x", "*x").replace("y", "*y"))
    return Draft(
        text, "simplify", "expression", sympy.sstr(value), f"化简：{text}", f"Simplify: {text}", level=level
    )


def expr_distribute(rng: R, level: int) -> Draft:
    a, b, c, d = _nz(rng, 2, 5 + level), _nz(rng, -9, 9), _nz(rng, -5 - level, 5 + level), _nz(rng, -9, 9)
    expr_t = f"{a}(x + {b}) + {_p(c)}(x + {d})".replace("+ -", "- ").replace("+ (-", "- (")
    inner = sympy.expand(a * (x + b) + c * (x + d))
    text = plain(f"{a}*(x + {b}) + {_p(c)}*(x + {d})") if level else plain(f"{a}*(x + {b})")
    value = inner if level else sympy.expand(a * (x + b))
    shown = plain(expr_t) if level else plain(f"{a}(x + {b})")
    return Draft(
        text,
        "simplify",
        "expression",
        sympy.sstr(value),
        f"去括号并化简：{shown}",
        f"Expand and simplify: {shown}",
        level=level,
    )


def expr_exponent_rules(rng: R, level: int) -> Draft:
    m, n = rng.randint(2, 6), rng.randint(2, 5)
    a, b = rng.randint(2, 5), rng.randint(2, 5)
    forms = [
        (f"x^{m} * x^{n}", x ** (m + n)),
        (f"(x^{m})^{n}", x ** (m * n)),
        (f"{a}x^{m} * {b}x^{n}", a * b * x ** (m + n)),
        (f"x^{m + n + 1} / x^{n}", x ** (m + 1)),
        (f"({a}x^{m})^2", a**2 * x ** (2 * m)),
    ]
    text, value = forms[rng.randint(0, 1) + (0 if level == 0 else 2 if level == 1 else 3)]
    return Draft(
        text, "simplify", "expression", sympy.sstr(value), f"计算：{text}", f"Simplify: {text}", level=level
    )


def poly_multiply(rng: R, level: int) -> Draft:
    a, b = _nz(rng, -9, 9), _nz(rng, -9, 9)
    k = rng.randint(2, 3 + level) if level else 1
    expr = sympy.Mul(k * x + a, x + b, evaluate=False)
    text = plain(f"({k}*x + {a})*(x + {b})" if k != 1 else f"(x + {a})*(x + {b})").replace("+ -", "- ")
    return Draft(
        text,
        "expand",
        "expression",
        sympy.sstr(sympy.expand(expr)),
        f"计算：{text}",
        f"Expand: {text}",
        level=level,
    )


def poly_special_products(rng: R, level: int) -> Draft:
    a, k = rng.randint(1, 9), rng.randint(1, 1 + 2 * level)
    kx = f"{k}x" if k != 1 else "x"
    forms = [
        (f"({kx} + {a})^2", (k * x + a) ** 2),
        (f"({kx} - {a})^2", (k * x - a) ** 2),
        (f"({kx} + {a})({kx} - {a})", (k * x + a) * (k * x - a)),
    ]
    text, expr = rng.choice(forms)
    return Draft(
        text,
        "expand",
        "expression",
        sympy.sstr(sympy.expand(expr)),
        f"用乘法公式计算：{text}",
        f"Expand with a special product: {text}",
        level=level,
    )


def poly_factor_common(rng: R, level: int) -> Draft:
    g = rng.randint(2, 4 + level)
    a, b = rng.randint(1, 5), _nz(rng, -7, 7)
    while sympy.gcd(a, b) != 1:
        b = _nz(rng, -7, 7)
    inner = a * x + b
    factored = g * x * inner if level else g * inner
    text = _s(sympy.expand(factored))
    return Draft(
        text,
        "factor",
        "expression",
        sympy.sstr(sympy.factor(factored)),
        f"因式分解：{text}",
        f"Factor: {text}",
        level=level,
    )


def poly_factor_formula(rng: R, level: int) -> Draft:
    a, k = rng.randint(1, 9), rng.randint(1, 1 + level)
    forms = [(k * x) ** 2 - a**2, (k * x + a) ** 2, (k * x - a) ** 2]
    expr = forms[rng.randint(0, 2 if level else 0)]
    text = _s(sympy.expand(expr))
    return Draft(
        text,
        "factor",
        "expression",
        sympy.sstr(sympy.factor(expr)),
        f"用公式法因式分解：{text}",
        f"Factor using a formula: {text}",
        level=level,
    )


def poly_factor_trinomial(rng: R, level: int) -> Draft:
    p, q = _nz(rng, -6 - 2 * level, 6 + 2 * level), _nz(rng, -6 - 2 * level, 6 + 2 * level)
    while p + q == 0:
        q = _nz(rng, -6, 6)
    k = rng.randint(2, 3) if level == 2 else 1
    expr = sympy.expand((k * x + p) * (x + q))
    return Draft(
        _s(expr),
        "factor",
        "expression",
        sympy.sstr(sympy.factor(expr)),
        f"因式分解：{_s(expr)}",
        f"Factor: {_s(expr)}",
        level=level,
    )


def rational_simplify(rng: R, level: int) -> Draft:
    a, b = rng.randint(1, 6), _nz(rng, -6, 6)
    while abs(b) == a:
        b = _nz(rng, -6, 6)
    num = sympy.expand((x - a) * (x + a)) if level else sympy.expand(2 * (x + a))
    den = sympy.expand((x + a) * (x + b)) if level else sympy.expand(x**2 + a * x)
    text = f"({_s(num)})/({_s(den)})"
    value = sympy.factor(sympy.cancel(num / den))
    return Draft(
        text,
        "simplify",
        "expression",
        sympy.sstr(value),
        f"化简：{text}",
        f"Simplify: {text}",
        stem_latex=rf"\frac{{{sympy.latex(num)}}}{{{sympy.latex(den)}}}",
        level=level,
    )


def _eq_draft(lhs: str, rhs: str, root: sympy.Expr, level: int, method: str | None = None) -> Draft:
    math = f"{plain(lhs)} = {plain(rhs)}"
    zh, en = _solve_stems(math)
    return Draft(math, "solve", "equation", f"x = {sympy.sstr(root)}", zh, en, method=method, level=level)


def lin_one_step(rng: R, level: int) -> Draft:
    x0, a = _nz(rng, -_span(level), _span(level)), _nz(rng, 2, 9) * (rng.choice([1, -1]) if level else 1)
    if rng.random() < 0.5:
        return _eq_draft(f"x + {a}", str(x0 + a), sympy.Integer(x0), level)
    return _eq_draft(f"{a}*x", str(a * x0), sympy.Integer(x0), level)


def lin_two_step(rng: R, level: int) -> Draft:
    x0, a, b = _nz(rng, -_span(level), _span(level)), _nz(rng, -9, 9), _nz(rng, -15, 15)
    if abs(a) == 1:
        a = 3
    return _eq_draft(f"{a}*x + {b}", str(a * x0 + b), sympy.Integer(x0), level)


def lin_brackets(rng: R, level: int) -> Draft:
    x0 = _nz(rng, -_span(level, 6), _span(level, 6))
    a, c = rng.randint(2, 6), _nz(rng, -5, 5)
    while a == c:
        c = _nz(rng, -5, 5)
    b, d = _nz(rng, -7, 7), _nz(rng, -7, 7)
    e = a * (x0 + b) - c * (x0 - d)
    return _eq_draft(f"{a}*(x + {b})", f"{c}*(x - {d}) + {e}", sympy.Integer(x0), level)


def lin_fractions(rng: R, level: int) -> Draft:
    x0 = _nz(rng, -_span(level, 6), _span(level, 6))
    b, d = rng.sample([2, 3, 4, 5, 6], 2)
    k, m = _nz(rng, -5, 5), _nz(rng, -5, 5)
    a, c = b * k - x0, x0 - d * m
    e = k - m
    rhs = f"(x - {c})/{d} + {e}" if e else f"(x - {c})/{d}"
    return _eq_draft(f"(x + {a})/{b}", rhs, sympy.Integer(x0), level)


def lin_decimals(rng: R, level: int) -> Draft:
    x0 = _nz(rng, -_span(level), _span(level))
    a, c = rng.sample([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15], 2)
    b = _nz(rng, -30, 30)
    d = (a - c) * x0 + b
    return _eq_draft(f"{a / 10:g}*x + {b / 10:g}", f"{c / 10:g}*x + {d / 10:g}", sympy.Integer(x0), level)


def lin_word_problems(rng: R, level: int) -> Draft:
    kind = rng.randint(0, 2)
    if kind == 0:
        n, a, b = rng.randint(2, 15), rng.randint(2, 9), rng.randint(1, 30)
        c = a * n + b
        zh = f"一个数的 {a} 倍加上 {b} 等于 {c}，求这个数。"
        en = f"{a} times a number, plus {b}, equals {c}. Find the number."
        problem, answer = f"{a}*x + {b} = {c}", n
    elif kind == 1:
        n, p, q = rng.randint(2, 12), rng.randint(2, 9 + 3 * level), rng.randint(1, 9)
        total = n * p + q
        zh = (
            f"小明买了若干本笔记本，每本 {p} 元，又买了一支 {q} 元的笔，"
            f"一共花了 {total} 元。他买了几本笔记本？"
        )
        en = (
            f"Ming buys some notebooks at {p} yuan each and a pen for {q} yuan, "
            f"{total} yuan in all. How many notebooks?"
        )
        problem, answer = f"{p}*x + {q} = {total}", n
    else:
        son, k, years = rng.randint(4, 12), rng.randint(2, 4), rng.randint(1, 10)
        father = k * (son + years) - years
        zh = f"父亲今年 {father} 岁，儿子今年 {son} 岁，几年后父亲的年龄是儿子的 {k} 倍？"
        en = (
            f"A father is {father} and his son is {son}. "
            f"In how many years will the father be {k} times as old?"
        )
        problem, answer = f"{father} + x = {k}*({son} + x)", years
    return Draft(
        problem,
        "solve",
        "number",
        str(answer),
        zh,
        en,
        stem_latex=problem.replace("*", r" \times "),
        level=level,
    )


def _ineq_draft(lhs: str, op: str, rhs: str, answer: str, level: int) -> Draft:
    math = f"{plain(lhs)} {op} {plain(rhs)}"
    return Draft(
        math, "solve", "inequality", answer, f"解不等式：{math}", f"Solve the inequality: {math}", level=level
    )


def ineq_linear(rng: R, level: int) -> Draft:
    x0, a, b = _nz(rng, -_span(level), _span(level)), rng.randint(2, 9), _nz(rng, -12, 12)
    op = rng.choice(["<", ">", "<=", ">="])
    if level == 0:
        return _ineq_draft(f"{a}*x + {b}", op, str(a * x0 + b), f"x {op} {x0}", level)
    c = rng.randint(1, a - 1) if a > 2 else 1
    d = (a - c) * x0 + b
    return _ineq_draft(f"{a}*x + {b}", op, f"{c}*x + {d}", f"x {op} {x0}", level)


def ineq_sign_flip(rng: R, level: int) -> Draft:
    x0, a, b = _nz(rng, -_span(level), _span(level)), rng.randint(2, 9), _nz(rng, -12, 12)
    op = rng.choice(["<", ">", "<=", ">="])
    flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}[op]
    return _ineq_draft(f"{-a}*x + {b}", op, str(-a * x0 + b), f"x {flipped} {x0}", level)


def _sys_draft(e1: str, e2: str, x0: int, y0: int, level: int, method: str) -> Draft:
    e1, e2 = plain(e1), plain(e2)
    zh = f"解方程组：{e1}，{e2}"
    en = f"Solve the system: {e1}; {e2}"
    latex = rf"\begin{{cases}} {e1} \\ {e2} \end{{cases}}"
    return Draft(
        f"{e1}, {e2}",
        "solve",
        "pair",
        f"x = {x0}, y = {y0}",
        zh,
        en,
        stem_latex=latex,
        method=method,
        level=level,
    )


def sys_substitution(rng: R, level: int) -> Draft:
    x0, y0 = _nz(rng, -_span(level, 6), _span(level, 6)), _nz(rng, -_span(level, 6), _span(level, 6))
    a, b = _nz(rng, -4, 4), y0 - 0
    b = y0 - a * x0
    c, d = _nz(rng, -5, 5), _nz(rng, 2, 5)
    while c + d * a == 0:
        c = _nz(rng, -5, 5)
    return _sys_draft(f"y = {a}*x + {b}", f"{c}*x + {d}*y = {c * x0 + d * y0}", x0, y0, level, "substitution")


def sys_elimination(rng: R, level: int) -> Draft:
    x0, y0 = _nz(rng, -_span(level, 6), _span(level, 6)), _nz(rng, -_span(level, 6), _span(level, 6))
    while True:
        a1, b1, a2, b2 = (_nz(rng, 2, 7) * rng.choice([1, -1]) for _ in range(4))
        if a1 * b2 - a2 * b1 != 0:
            break
    return _sys_draft(
        f"{a1}*x + {b1}*y = {a1 * x0 + b1 * y0}",
        f"{a2}*x + {b2}*y = {a2 * x0 + b2 * y0}",
        x0,
        y0,
        level,
        "elimination",
    )


def _quad_answer(roots: list[sympy.Expr]) -> str:
    return ", ".join(f"x = {sympy.sstr(r)}" for r in sorted(set(roots), key=float))


def _quad_draft(expr: sympy.Expr, roots: list[sympy.Expr], level: int, method: str | None) -> Draft:
    math = f"{_s(expr)} = 0"
    zh, en = _solve_stems(math)
    return Draft(math, "solve", "equation", _quad_answer(roots), zh, en, method=method, level=level)


def quad_factoring(rng: R, level: int) -> Draft:
    r1, r2 = _nz(rng, -6 - 2 * level, 6 + 2 * level), _nz(rng, -6 - 2 * level, 6 + 2 * level)
    while r1 == r2 or r1 + r2 == 0:
        r2 = _nz(rng, -8, 8)
    k = rng.randint(2, 3) if level == 2 else 1
    return _quad_draft(sympy.expand(k * (x - r1) * (x - r2)), [r1, r2], level, "factoring")


def quad_perfect_square(rng: R, level: int) -> Draft:
    r, p = rng.randint(1, 9), _nz(rng, -6, 6)
    if level == 0:
        a = rng.randint(1, 4)
        math = f"{a}x^2 = {a * r * r}" if a > 1 else f"x^2 = {r * r}"
        roots = [-r, r]
    else:
        math = plain(f"(x + {p})^2 = {r * r}")
        roots = [r - p, -r - p]
    zh, en = _solve_stems(math)
    return Draft(math, "solve", "equation", _quad_answer(roots), zh, en, method="square_root", level=level)


def quad_formula(rng: R, level: int) -> Draft:
    while True:
        a, m, n = rng.randint(2, 3 + level), _nz(rng, -7, 7), _nz(rng, -5, 5)
        if sympy.gcd(a, m) == 1:
            break
    expr = sympy.expand((a * x - m) * (x - n))
    return _quad_draft(expr, [sympy.Rational(m, a), sympy.Integer(n)], level, "formula")


def quad_irrational_roots(rng: R, level: int) -> Draft:
    while True:
        a = 1 if level == 0 else rng.randint(1, 2 + level)
        b, c = _nz(rng, -9, 9), _nz(rng, -12, 12)
        disc = b * b - 4 * a * c
        if disc > 0 and not sympy.sqrt(disc).is_rational:
            break
    expr = a * x**2 + b * x + c
    roots = [(-b + sympy.sqrt(disc)) / (2 * a), (-b - sympy.sqrt(disc)) / (2 * a)]
    return _quad_draft(expr, [sympy.radsimp(r) for r in roots], level, "formula")


def calc_poly_derivative(rng: R, level: int) -> Draft:
    degree = 2 + level
    coeffs = [_nz(rng, -6, 6) for _ in range(degree + 1)]
    expr = sum((c * x**i for i, c in enumerate(coeffs)), sympy.Integer(0))
    text = _s(expr)
    return Draft(
        f"d/dx ({text})",
        "derivative",
        "expression",
        sympy.sstr(sympy.diff(expr, x)),
        f"求函数 f(x) = {text} 的导数 f'(x)",
        f"Find f'(x) for f(x) = {text}",
        stem_latex=rf"f(x) = {sympy.latex(expr)}, \quad f'(x) = ?",
        level=level,
    )


TEMPLATES: dict[str, Callable[[R, int], Draft]] = {
    "num.integers": num_integers,
    "num.integer_muldiv": num_integer_muldiv,
    "num.order_of_operations": num_order_of_operations,
    "num.powers": num_powers,
    "frac.simplify": frac_simplify,
    "frac.add_sub": frac_add_sub,
    "frac.mul_div": frac_mul_div,
    "num.decimals_percent": num_decimals_percent,
    "expr.evaluate": expr_evaluate,
    "expr.like_terms": expr_like_terms,
    "expr.distribute": expr_distribute,
    "expr.exponent_rules": expr_exponent_rules,
    "poly.multiply": poly_multiply,
    "poly.special_products": poly_special_products,
    "poly.factor_common": poly_factor_common,
    "poly.factor_formula": poly_factor_formula,
    "poly.factor_trinomial": poly_factor_trinomial,
    "rational.simplify": rational_simplify,
    "lin.one_step": lin_one_step,
    "lin.two_step": lin_two_step,
    "lin.brackets": lin_brackets,
    "lin.fractions": lin_fractions,
    "lin.decimals": lin_decimals,
    "lin.word_problems": lin_word_problems,
    "ineq.linear": ineq_linear,
    "ineq.sign_flip": ineq_sign_flip,
    "sys.substitution": sys_substitution,
    "sys.elimination": sys_elimination,
    "quad.factoring": quad_factoring,
    "quad.perfect_square": quad_perfect_square,
    "quad.formula": quad_formula,
    "quad.irrational_roots": quad_irrational_roots,
    "calc.poly_derivative": calc_poly_derivative,
}
