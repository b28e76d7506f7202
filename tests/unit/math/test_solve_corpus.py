"""Solve corpus of our own: 200+ problems by category and format, each built from its answer.

Every problem is made by construction (roots, values and coefficients chosen first, the problem
written from them with plain Python ``fractions``), and the engine's answer is checked without the
engine: read with ``latex2sympy2_extended`` (the LaTeX library, not our reader) and compared
numerically, by substitution or by sampling points. A wrong answer fails the test: refusing (a clear
422) is allowed, answering wrongly never. Coverage (solved / total) must be at least 90% per
category; the table by category and format is printed (``pytest -s``).
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import sympy
from latex2sympy2_extended import latex2sympy

from tutor.errors import UnprocessableError
from tutor.math.solver import solve_problem

X = sympy.Symbol("x")
_ZH = "零一二三四五六七八九"
_EN = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def zh(n: int) -> str:
    if n < 0:
        return "负" + zh(-n)
    if n < 10:
        return _ZH[n]
    if n < 100:
        tens, units = divmod(n, 10)
        return ("" if tens == 1 else _ZH[tens]) + "十" + (_ZH[units] if units else "")
    raise ValueError(n)


def en(n: int) -> str:
    if n < 0:
        return "negative " + en(-n)
    if n < 20:
        return _EN[n]
    tens, units = divmod(n, 10)
    return _EN_TENS[tens] + (f"-{_EN[units]}" if units else "")


_LATEX_OPS = {
    "<": "<",
    ">": ">",
    "<=": r"\le",
    ">=": r"\ge",
    "+": "+",
    "-": "-",
    "*": r"\times",
    "÷": r"\div",
}


@dataclass
class Problem:
    category: str
    fmt: str
    text: str
    kind: str  # roots | interval | pair | number | expression
    roots: list[Fraction] | None = None
    predicate: Callable[[float], bool] | None = None
    points: list[float] = field(default_factory=list)
    pair: tuple[Fraction, Fraction] | None = None
    number: Fraction | None = None
    expr: Callable[[float], float] | None = None
    form: str = ""  # expanded | factored


def sgn(n: int) -> str:
    return f"+{n}" if n >= 0 else f"-{-n}"


# ---------------------------------------------------------------- the problems
def linear(rng: random.Random) -> list[Problem]:
    out = []
    for i in range(16):
        a, r, b = rng.choice([2, 3, 4, 5, 6, 7]), rng.randint(-9, 9), rng.randint(1, 15)
        c = a * r + b
        roots = [Fraction(r)]
        fmt = ("plain", "latex", "zh words", "en words")[i % 4]
        if fmt == "plain":
            text = f"{a}x{sgn(b)}={c}"
        elif fmt == "latex":
            text = rf"{a}x + {b} = {c}" if i % 8 else rf"\frac{{{a}x}}{{1}} + {b} = {c}"
        elif fmt == "zh words":
            text = f"解方程：{zh(a)}x加{zh(b)}等于{zh(c)}"
        else:
            text = f"solve {en(a)} x plus {en(b)} equals {en(c)}"
        out.append(Problem("linear", fmt, text, "roots", roots=roots))
    for _ in range(8):  # brackets and fractions
        a, p, r = rng.choice([2, 3, 5]), rng.randint(-5, 5), rng.randint(-6, 6)
        c = a * (r + p)
        out.append(Problem("linear", "plain", f"{a}(x{sgn(p)})={c}", "roots", roots=[Fraction(r)]))
        d, q = rng.choice([2, 3, 4]), rng.randint(1, 6)
        out.append(
            Problem(
                "linear",
                "latex",
                rf"\frac{{x}}{{{d}}} + {q} = {_latex_frac(Fraction(r, d) + q)}",
                "roots",
                roots=[Fraction(r)],
            )
        )
    return out


def _latex_frac(f: Fraction) -> str:
    if f.denominator == 1:
        return str(f.numerator)
    sign = "-" if f < 0 else ""
    return rf"{sign}\frac{{{abs(f.numerator)}}}{{{f.denominator}}}"


def _poly_text(coeffs: list[int]) -> str:
    """Highest power first: [1, -5, 6] -> x^2-5x+6."""
    deg = len(coeffs) - 1
    text = ""
    for k, c in enumerate(coeffs):
        p = deg - k
        if c == 0:
            continue
        mag = abs(c)
        body = ("" if mag == 1 and p > 0 else str(mag)) + ("x" if p >= 1 else "") + (f"^{p}" if p > 1 else "")
        text += ("-" if c < 0 else ("+" if text else "")) + body
    return text or "0"


def quadratic(rng: random.Random) -> list[Problem]:
    out = []
    for i in range(16):
        r1, r2 = rng.randint(-8, 8), rng.randint(-8, 8)
        coeffs = [1, -(r1 + r2), r1 * r2]
        fmt = ("plain", "latex", "zh words", "en words")[i % 4]
        poly = _poly_text(coeffs)
        if fmt == "plain":
            text = f"{poly}=0"
        elif fmt == "latex":
            text = re.sub(r"\^(\d)", r"^{\1}", poly) + " = 0"
        elif fmt == "zh words":
            b, c = coeffs[1], coeffs[2]
            text = (
                "x的平方"
                + (f"加{zh(b)}x" if b > 0 else f"减{zh(-b)}x" if b < 0 else "")
                + (f"加{zh(c)}" if c > 0 else f"减{zh(-c)}" if c < 0 else "")
                + "等于零"
            )
        else:
            b, c = coeffs[1], coeffs[2]
            text = (
                "x squared"
                + (f" plus {en(b)} x" if b > 0 else f" minus {en(-b)} x" if b < 0 else "")
                + (f" plus {en(c)}" if c > 0 else f" minus {en(-c)}" if c < 0 else "")
                + " equals zero"
            )
        out.append(Problem("quadratic", fmt, text, "roots", roots=sorted({Fraction(r1), Fraction(r2)})))
    for k in (2, 3, 5, 7):  # irrational roots x^2 = k, and no real roots
        out.append(Problem("quadratic", "plain", f"x^2={k}", "roots", roots=None, number=Fraction(k)))
        out.append(Problem("quadratic", "plain", f"x^2+{k}=0", "roots", roots=[]))
    return out


def cubic(rng: random.Random) -> list[Problem]:
    out = []
    for i in range(10):
        rs = rng.sample(range(-5, 6), 3)
        p = sympy.expand((X - rs[0]) * (X - rs[1]) * (X - rs[2]))
        coeffs = [int(c) for c in sympy.Poly(p, X).all_coeffs()]
        text = _poly_text(coeffs) + "=0"
        fmt = "plain" if i % 2 else "latex"
        if fmt == "latex":
            text = re.sub(r"\^(\d)", r"^{\1}", text)
        out.append(
            Problem("cubic (rational roots)", fmt, text, "roots", roots=sorted(Fraction(r) for r in rs))
        )
    return out


def fractional(rng: random.Random) -> list[Problem]:
    out = []
    while len(out) < 10:
        p, x0, a = rng.randint(-5, 5), rng.randint(-6, 6), rng.randint(1, 6)
        if x0 in (0, p) or p == 0:
            continue
        b = Fraction(a * x0, x0 - p)  # a/(x-p) = b/x at x = x0
        if b.denominator != 1 or b == a or b == 0:
            continue
        text = (
            f"{a}/(x{sgn(-p)})={int(b)}/x"
            if len(out) % 2
            else rf"\frac{{{a}}}{{x{sgn(-p)}}} = \frac{{{int(b)}}}{{x}}"
        )
        out.append(
            Problem("fractional", "plain" if len(out) % 2 else "latex", text, "roots", roots=[Fraction(x0)])
        )
    for p, k in [(1, 2), (2, 3), (3, 2), (-1, 2), (4, 5)]:  # x/(x-p) = p/(x-p) + k: only x = p, extraneous
        out.append(
            Problem("fractional", "plain", f"x/(x{sgn(-p)}) = {p}/(x{sgn(-p)}) + {k}", "roots", roots=[])
        )
    return out


def radical(rng: random.Random) -> list[Problem]:
    out = []
    while len(out) < 8:
        r, b = rng.randint(0, 12), rng.randint(-3, 5)
        if r - b < 0:
            continue
        a = (r - b) ** 2 - r  # sqrt(x + a) = x - b holds at x = r
        roots = []
        for cand in {r, 2 * b + 1 - r}:  # x + a = (x - b)^2 has these two roots
            if cand + a >= 0 and cand - b >= 0 and math.isclose(math.sqrt(cand + a), cand - b):
                roots.append(Fraction(cand))
        text = f"sqrt(x{sgn(a)}) = x{sgn(-b)}" if len(out) % 2 else rf"\sqrt{{x{sgn(a)}}} = x{sgn(-b)}"
        out.append(
            Problem("radical", "plain" if len(out) % 2 else "latex", text, "roots", roots=sorted(roots))
        )
    return out


def absolute(rng: random.Random) -> list[Problem]:
    out = []
    for i in range(10):
        a, b, c = rng.choice([1, 2, 3]), rng.randint(-6, 6), rng.randint(0, 9)
        roots = sorted({Fraction(c - b, a), Fraction(-c - b, a)})
        text = f"|{a}x{sgn(b)}|={c}" if i % 2 else rf"\left|{a}x{sgn(b)}\right| = {c}"
        out.append(Problem("absolute value", "plain" if i % 2 else "latex", text, "roots", roots=roots))
    out.append(Problem("absolute value", "plain", "|x-3|=-2", "roots", roots=[]))
    out.append(
        Problem(
            "absolute value",
            "plain",
            "|x-1|<3",
            "interval",
            predicate=lambda t: abs(t - 1) < 3,
            points=[-2, 4],
        )
    )
    out.append(
        Problem(
            "absolute value",
            "plain",
            "|2x+1|>5",
            "interval",
            predicate=lambda t: abs(2 * t + 1) > 5,
            points=[-3, 2],
        )
    )
    return out


def inequalities(rng: random.Random) -> list[Problem]:
    out = []
    ops = {
        "<": lambda u, v: u < v,
        ">": lambda u, v: u > v,
        "<=": lambda u, v: u <= v,
        ">=": lambda u, v: u >= v,
    }
    zh_ops = {"<": "小于", ">": "大于", "<=": "小于或等于", ">=": "大于或等于"}
    en_ops = {"<": "is less than", ">": "is greater than", "<=": "is at most", ">=": "is at least"}
    for i in range(16):
        a, b, c = rng.choice([2, 3, -2, -3, 4, -1]), rng.randint(-9, 9), rng.randint(-9, 9)
        op = rng.choice(list(ops))
        fmt = ("plain", "latex", "zh words", "en words")[i % 4]
        if fmt == "plain":
            text = f"{a}x{sgn(b)}{op}{c}"
        elif fmt == "latex":
            text = f"{a}x {sgn(b)} {_LATEX_OPS[op]} {c}"
        elif fmt == "zh words":
            text = f"解不等式：{zh(a)}x{'加' + zh(b) if b >= 0 else '减' + zh(-b)}{zh_ops[op]}{zh(c)}"
        else:
            text = f"{en(a)} x {'plus ' + en(b) if b >= 0 else 'minus ' + en(-b)} {en_ops[op]} {en(c)}"
        bound = (c - b) / a

        def pred(t: float, a: int = a, b: int = b, c: int = c, op: str = op) -> bool:
            return ops[op](a * t + b, c)

        out.append(Problem("linear inequality", fmt, text, "interval", predicate=pred, points=[bound]))
    for i in range(6):  # chained
        a, b = rng.choice([2, 3, -2]), rng.randint(-5, 5)
        lo, hi = rng.randint(-9, 0), rng.randint(1, 9)
        text = f"{lo} < {a}x{sgn(b)} < {hi}"

        def chain(t: float, a: int = a, b: int = b, lo: int = lo, hi: int = hi) -> bool:
            return lo < a * t + b < hi

        out.append(
            Problem(
                "chained inequality",
                "plain" if i % 2 else "latex",
                text,
                "interval",
                predicate=chain,
                points=[(lo - b) / a, (hi - b) / a],
            )
        )
    for i in range(6):  # systems of inequalities
        a1, b1, c1 = rng.choice([1, 2, 3]), rng.randint(-5, 5), rng.randint(-5, 5)
        a2, b2, c2 = rng.choice([1, 2, -1]), rng.randint(-5, 5), rng.randint(-5, 9)
        text = f"{a1}x{sgn(b1)}>{c1}, {a2}x{sgn(b2)}<={c2}"
        if i % 2:
            text = rf"\begin{{cases}} {a1}x{sgn(b1)}>{c1} \\ {a2}x{sgn(b2)}\le {c2} \end{{cases}}"

        def system(
            t: float, a1: int = a1, b1: int = b1, c1: int = c1, a2: int = a2, b2: int = b2, c2: int = c2
        ) -> bool:
            return a1 * t + b1 > c1 and a2 * t + b2 <= c2

        out.append(
            Problem(
                "inequality system",
                "latex" if i % 2 else "plain",
                text,
                "interval",
                predicate=system,
                points=[(c1 - b1) / a1, (c2 - b2) / a2],
            )
        )
    return out


def systems(rng: random.Random) -> list[Problem]:
    out = []
    while len(out) < 12:
        x0, y0 = rng.randint(-6, 6), rng.randint(-6, 6)
        a1, b1, a2, b2 = (rng.choice([1, 2, 3, -1, 4, 5]) for _ in range(4))
        if a1 * b2 - a2 * b1 == 0:
            continue
        c1, c2 = a1 * x0 + b1 * y0, a2 * x0 + b2 * y0
        e1 = f"{a1}x{sgn(b1)}y={c1}".replace("1x", "x").replace("+1y", "+y").replace("-1y", "-y")
        e2 = f"{a2}x{sgn(b2)}y={c2}".replace("1x", "x").replace("+1y", "+y").replace("-1y", "-y")
        e1 = re.sub(r"(?<!\d)-1x", "-x", e1)
        e2 = re.sub(r"(?<!\d)-1x", "-x", e2)
        fmt = ("plain", "latex", "zh words")[len(out) % 3]
        text = {
            "plain": f"{e1}, {e2}",
            "latex": rf"\left\{{\begin{{array}}{{l}}{e1}\\{e2}\end{{array}}\right.",
            "zh words": f"解方程组：{e1}，{e2}",
        }[fmt]
        out.append(Problem("linear system", fmt, text, "pair", pair=(Fraction(x0), Fraction(y0))))
    return out


def arithmetic(rng: random.Random) -> list[Problem]:
    out = []
    for i in range(10):
        f1 = Fraction(rng.randint(1, 9), rng.randint(2, 9))
        f2 = Fraction(rng.randint(1, 9), rng.randint(2, 9))
        op = rng.choice(["+", "-", "*", "÷"])
        value = {"+": f1 + f2, "-": f1 - f2, "*": f1 * f2, "÷": f1 / f2}[op]
        t1, t2 = f"{f1.numerator}/{f1.denominator}", f"{f2.numerator}/{f2.denominator}"
        if i % 2:
            shown_op = _LATEX_OPS[op]
            text = rf"\frac{{{f1.numerator}}}{{{f1.denominator}}} {shown_op} \frac{{{f2.numerator}}}{{{f2.denominator}}}"
            out.append(Problem("arithmetic (fractions)", "latex", text, "number", number=value))
        else:
            out.append(Problem("arithmetic (fractions)", "plain", f"{t1} {op} {t2}", "number", number=value))
    for _ in range(6):  # mixed numbers
        w1, n1, d1 = rng.randint(1, 4), rng.randint(1, 3), 4
        w2, n2, d2 = rng.randint(1, 4), 1, rng.choice([2, 3, 5])
        if math.gcd(n1, d1) != 1:
            n1 = 1
        value = w1 + Fraction(n1, d1) + w2 + Fraction(n2, d2)
        out.append(
            Problem(
                "arithmetic (mixed, %, decimals)",
                "plain",
                f"{w1} {n1}/{d1} + {w2} {n2}/{d2}",
                "number",
                number=value,
            )
        )
    for _ in range(6):
        pct, base = rng.choice([5, 10, 15, 20, 25, 40]), rng.choice([20, 40, 60, 80, 120])
        out.append(
            Problem(
                "arithmetic (mixed, %, decimals)",
                "en words",
                f"{pct}% of {base}",
                "number",
                number=Fraction(pct * base, 100),
            )
        )
        d1, d2 = rng.randint(1, 9), rng.randint(1, 9)
        out.append(
            Problem(
                "arithmetic (mixed, %, decimals)",
                "plain",
                f".{d1} + .{d2}",
                "number",
                number=Fraction(d1 + d2, 10),
            )
        )
    for i in range(8):  # integers, order of operations, words
        a, b, c = rng.randint(2, 12), rng.randint(2, 12), rng.randint(2, 9)
        value = Fraction(a + b * c)
        fmt = ("plain", "zh words", "en words", "latex")[i % 4]
        text = {
            "plain": f"{a}+{b}*{c}",
            "zh words": f"计算{zh(a)}加{zh(b)}乘{zh(c)}",
            "en words": f"what is {en(a)} plus {en(b)} times {en(c)}",
            "latex": rf"{a} + {b} \times {c}",
        }[fmt]
        out.append(Problem("arithmetic (integers)", fmt, text, "number", number=value))
    return out


def evaluate(rng: random.Random) -> list[Problem]:
    out = []
    for i in range(10):
        a, b, c, x0 = rng.randint(1, 5), rng.randint(-6, 6), rng.randint(-9, 9), rng.randint(-4, 4)
        value = Fraction(a * x0 * x0 + b * x0 + c)
        poly = _poly_text([a, b, c])
        fmt = ("en words", "zh words", "function")[i % 3]
        text = {
            "en words": f"Evaluate {poly} when x = {x0}",
            "zh words": f"当x={x0}时，求{poly}的值",
            "function": f"已知 f(x)={poly}，求 f({x0})",
        }[fmt]
        out.append(Problem("evaluate", fmt, text, "number", number=value))
    return out


def expressions(rng: random.Random) -> list[Problem]:
    out = []
    for i in range(8):
        p, q = rng.randint(-7, 7), rng.randint(-7, 7)
        fmt = "plain" if i % 2 else "zh words"
        text = f"expand (x{sgn(p)})(x{sgn(q)})" if fmt == "plain" else f"展开 (x{sgn(p)})(x{sgn(q)})"
        out.append(
            Problem(
                "expand", fmt, text, "expression", expr=lambda t, p=p, q=q: (t + p) * (t + q), form="expanded"
            )
        )
    for i in range(8):
        r1, r2 = rng.randint(-7, 7), rng.randint(-7, 7)
        poly = _poly_text([1, -(r1 + r2), r1 * r2])
        if r1 == 0 or r2 == 0 or r1 == -r2:
            continue
        fmt = "plain" if i % 2 else "zh words"
        text = f"factor {poly}" if fmt == "plain" else f"因式分解 {poly}"
        out.append(
            Problem(
                "factor",
                fmt,
                text,
                "expression",
                expr=lambda t, r1=r1, r2=r2: (t - r1) * (t - r2),
                form="factored",
            )
        )
    for i in range(6):
        a, b, c, d = (rng.randint(1, 9) for _ in range(4))
        text = f"化简：{a}x+{b}y-{c}x+{d}y" if i % 2 else f"simplify {a}x+{b}y-{c}x+{d}y"
        out.append(
            Problem(
                "simplify",
                "zh words" if i % 2 else "en words",
                text,
                "expression",
                expr=lambda t, a=a, b=b, c=c, d=d: (a - c) * t + (b + d) * 0.5,
                form="expanded",
            )
        )
    return out


def derivatives(rng: random.Random) -> list[Problem]:
    out = []
    for i in range(8):
        a, b, c = rng.randint(1, 6), rng.randint(-6, 6), rng.randint(-9, 9)
        poly = _poly_text([a, 0, b, c])
        fmt = ("plain", "zh words")[i % 2]
        text = f"d/dx ({poly})" if fmt == "plain" else f"求导 f(x)={poly}"
        out.append(Problem("derivative", fmt, text, "expression", expr=lambda t, a=a, b=b: 3 * a * t * t + b))
    table = [
        ("d/dx (sin x)", math.cos),
        ("d/dx (cos x)", lambda t: -math.sin(t)),
        ("d/dx (e^x)", math.exp),
        ("d/dx (ln x)", lambda t: 1 / t),
        (r"d/dx (\sqrt{x})", lambda t: 1 / (2 * math.sqrt(t))),
        ("d/dx (1/x)", lambda t: -1 / t**2),
        ("d/dx (3 sin x + 2x^2)", lambda t: 3 * math.cos(t) + 4 * t),
        ("d/dx (x^3 - 4 ln x)", lambda t: 3 * t * t - 4 / t),
    ]
    out += [Problem("derivative", "plain", text, "expression", expr=f) for text, f in table]
    return out


def proportions(rng: random.Random) -> list[Problem]:
    out = []
    for i in range(8):
        a, c, d = rng.randint(1, 9), rng.randint(1, 9), rng.randint(1, 9)
        x0 = Fraction(a * d, c)  # a : x = c : d
        text = f"{a}:x = {c}:{d}" if i % 2 else f"解比例：x : {a} = {c} : {d}"
        if not i % 2:
            x0 = Fraction(a * c, d)  # x : a = c : d
        out.append(Problem("proportion", "plain" if i % 2 else "zh words", text, "roots", roots=[x0]))
    return out


def corpus() -> list[Problem]:
    rng = random.Random(12)
    makers = [
        linear,
        quadratic,
        cubic,
        fractional,
        radical,
        absolute,
        inequalities,
        systems,
        arithmetic,
        evaluate,
        expressions,
        derivatives,
        proportions,
    ]
    return [p for make in makers for p in make(rng)]


PROBLEMS = corpus()


# ---------------------------------------------------------------- checking without the engine
def _value(text: str) -> sympy.Expr:
    return sympy.sympify(latex2sympy(text))


def _roots_of(answer: str) -> list[float]:
    if answer.strip() in (r"\varnothing", r"\emptyset"):
        return []
    values = []
    for part in answer.split(", "):
        m = re.fullmatch(r"\s*x(?:_\{?\d+\}?)?\s*=\s*(.+)", part)
        if m is None:
            raise AssertionError(f"not a root list: {answer}")
        values.append(float(_value(m.group(1))))
    return sorted(values)


def _truth(answer: str, t: float) -> bool:
    if answer.strip() in (r"\varnothing", r"\emptyset"):
        return False
    if r"\mathbb{R}" in answer:
        return True
    for part in answer.split(", "):
        rel = latex2sympy(part)
        if bool(rel.subs(X, sympy.nsimplify(t))):
            return True
    return False


def _check(problem: Problem, answer: str) -> bool:
    if problem.kind == "roots":
        got = _roots_of(answer)
        if problem.roots is None:  # x^2 = k
            k = float(problem.number or 0)
            want = sorted([-math.sqrt(k), math.sqrt(k)])
        else:
            want = [float(r) for r in problem.roots]
        return len(got) == len(want) and all(
            math.isclose(g, w, abs_tol=1e-9) for g, w in zip(got, want, strict=True)
        )
    if problem.kind == "interval":
        assert problem.predicate is not None
        samples = [-50.0, 50.0, 0.0]
        for p in problem.points:
            samples += [p, p - 1e-3, p + 1e-3, p - 0.7, p + 0.7]
        return all(_truth(answer, t) == problem.predicate(t) for t in samples)
    if problem.kind == "pair":
        parts = dict(re.findall(r"([xy])\s*=\s*([^,]+)", answer))
        assert problem.pair is not None
        return math.isclose(float(_value(parts["x"])), problem.pair[0]) and math.isclose(
            float(_value(parts["y"])), problem.pair[1]
        )
    if problem.kind == "number":
        return sympy.nsimplify(_value(answer)) == sympy.Rational(
            problem.number.numerator, problem.number.denominator
        )  # type: ignore[union-attr]
    assert problem.expr is not None
    value = _value(answer)
    y = sympy.Symbol("y")
    for t in (0.7, 1.3, 2.1, 3.7):
        got = complex(value.subs({X: t, y: 0.5}))
        if not math.isclose(got.real, problem.expr(t), rel_tol=1e-9, abs_tol=1e-9) or abs(got.imag) > 1e-9:
            return False
    if problem.form == "expanded" and "(" in answer.replace(r"\left(", "(").replace(r"\cos{\left(", ""):
        return False
    return not (problem.form == "factored" and "(" not in answer.replace(r"\left(", "("))


def test_corpus_is_large_and_covers_categories_and_formats() -> None:
    assert len(PROBLEMS) >= 200
    formats = {p.fmt for p in PROBLEMS}
    assert {"plain", "latex", "zh words", "en words"} <= formats
    assert len({p.category for p in PROBLEMS}) >= 15


def test_every_answer_is_right_or_refused_and_each_category_is_covered() -> None:
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # total, solved right, refused, wrong
    by_fmt: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    wrong: list[tuple[str, str]] = []
    refused: list[tuple[str, str]] = []
    for problem in PROBLEMS:
        try:
            solution = solve_problem(problem.text)
        except UnprocessableError as exc:
            outcome = 2
            refused.append((problem.text, exc.message[:100]))
        else:
            ok = _check(problem, solution.answer)
            outcome = 1 if ok else 3
            if not ok:
                wrong.append((problem.text, solution.answer))
            assert all(s.explanation_zh and s.explanation_en for s in solution.steps)
        for table, key in ((by_cat, problem.category), (by_fmt, problem.fmt)):
            table[key][0] += 1
            table[key][outcome] += 1
    for title, table in (("category", by_cat), ("format", by_fmt)):
        print(f"\nsolve corpus by {title}")
        print(f"{title:<34}{'problems':>9}{'solved':>8}{'refused':>9}{'wrong':>7}{'coverage':>10}")
        for key, (total, right, ref, bad) in sorted(table.items()):
            print(f"{key:<34}{total:>9}{right:>8}{ref:>9}{bad:>7}{100 * right / total:>9.1f}%")
    total = len(PROBLEMS)
    right = sum(r[1] for r in by_cat.values())
    print(f"{'all':<34}{total:>9}{right:>8}{len(refused):>9}{len(wrong):>7}{100 * right / total:>9.1f}%")
    for text, reason in refused:
        print("refused:", text, "->", reason)
    assert not wrong, wrong
    low = {k: round(r[1] / r[0], 3) for k, r in by_cat.items() if r[1] / r[0] < 0.9}
    assert not low, low
