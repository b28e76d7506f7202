"""Answer-equivalence corpus of our own: 400+ cases by category, each with its verdict fixed by
construction (the value is chosen first and every variant is written from it with plain Python
``fractions``), never by asking the engine.

A false accept (a wrong answer graded correct) fails the test outright: that is a confident wrong
answer. False rejects are coverage: each category must agree on at least 90% of its cases. The table
is printed (``pytest -s``) per category.
"""

from __future__ import annotations

import random
from collections import defaultdict
from fractions import Fraction

import pytest

from tutor.math.grading import grade_answer_sync

# (category, expected, kind, submitted, correct, task, question)
Case = tuple[str, str, str, str, bool, str | None, str | None]
_ZH_DIGITS = "零一二三四五六七八九"


def _zh_int(n: int) -> str:
    """Chinese numeral for 0 <= n < 100 (十一, 二十三)."""
    if n < 10:
        return _ZH_DIGITS[n]
    tens, units = divmod(n, 10)
    head = "" if tens == 1 else _ZH_DIGITS[tens]
    return head + "十" + (_ZH_DIGITS[units] if units else "")


_EN_UNITS = [
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


def _en_int(n: int) -> str:
    if n < 20:
        return _EN_UNITS[n]
    tens, units = divmod(n, 10)
    return _EN_TENS[tens] + (f"-{_EN_UNITS[units]}" if units else "")


def _frac_text(f: Fraction) -> str:
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def _decimal(f: Fraction) -> str | None:
    q = f.denominator
    for p in (2, 5):
        while q % p == 0:
            q //= p
    if q != 1:
        return None
    text = f"{float(f):.6f}".rstrip("0").rstrip(".")
    return text


def _numbers(rng: random.Random) -> list[Case]:
    out: list[Case] = []
    for _ in range(16):
        f = Fraction(rng.randint(-40, 40), rng.choice([1, 2, 4, 5, 8, 10, 3, 6]))
        exp = _frac_text(f)
        variants = [
            exp,
            f"{f.numerator * 3}/{f.denominator * 3}",
            rf"\frac{{{f.numerator}}}{{{f.denominator}}}",
        ]
        dec = _decimal(f)
        if dec:
            variants.append(dec)
        out += [("numbers", exp, "number", v, True, None, None) for v in variants]
        out.append(("numbers", exp, "number", _frac_text(f + 1), False, None, None))
        if f != 0:
            out.append(("numbers", exp, "number", _frac_text(-f), False, None, None))
        if f not in (0, 1, -1):
            out.append(("numbers", exp, "number", _frac_text(1 / f), False, None, None))
    # mixed numbers, percent, leading-dot decimals, thousands
    for whole, num, den in [(2, 1, 2), (1, 3, 4), (3, 2, 5), (5, 1, 3), (4, 5, 6)]:
        value = Fraction(whole) + Fraction(num, den)
        out.append(("numbers", _frac_text(value), "number", f"{whole} {num}/{den}", True, None, None))
        out.append(("numbers", _frac_text(value), "number", f"{whole} {num}/{den + 1}", False, None, None))
    for pct in (5, 12, 28, 50, 75, 125):
        out.append(("numbers", _frac_text(Fraction(pct, 100)), "number", f"{pct}%", True, None, None))
        out.append(("numbers", _frac_text(Fraction(pct, 100)), "number", f"{pct} percent", True, None, None))
        out.append(("numbers", _frac_text(Fraction(pct, 100)), "number", f"{pct + 1}%", False, None, None))
    for digits in ("4", "25", "75", "5"):
        out.append(("numbers", f"0.{digits}", "number", f".{digits}", True, None, None))
    for n in (7425000, 1234567, 1000000):
        out.append(("numbers", str(n), "number", f"{n:,}", True, None, None))
        out.append(("numbers", str(n + 1000), "number", f"{n:,}", False, None, None))
    out.append(("numbers", "6", "number", "2 3", False, None, None))
    return out


def _expressions(rng: random.Random) -> list[Case]:
    out: list[Case] = []
    for _ in range(12):
        r1, r2 = rng.randint(-9, 9), rng.randint(-9, 9)
        b, c = -(r1 + r2), r1 * r2  # (x - r1)(x - r2) = x^2 + b x + c
        expanded = f"x^2{b:+d}x{c:+d}".replace("+0x", "").replace("+0", "")
        factored = f"(x{-r1:+d})(x{-r2:+d})".replace("+0", "")
        out.append(("expressions", expanded, "expression", factored, True, None, None))
        out.append(
            ("expressions", expanded, "expression", f"{c:+d}{b:+d}x+x^2".lstrip("+"), True, None, None)
        )
        out.append(("expressions", expanded, "expression", f"x^2{b + 1:+d}x{c:+d}", False, None, None))
        out.append(("expressions", expanded, "expression", f"x^2{b:+d}x{c - 2:+d}", False, None, None))
    for a, k in [(2, 3), (3, -4), (5, 1), (-2, 7), (4, -5)]:
        out.append(
            ("expressions", f"{a}x{k:+d}", "expression", f"{k:+d}{a:+d}x".lstrip("+"), True, None, None)
        )
        out.append(("expressions", f"{a}x{k:+d}", "expression", f"{a}x{k + 1:+d}", False, None, None))
        out.append(("expressions", f"{a}x{k:+d}", "expression", f"{-a}x{k:+d}", False, None, None))
    for a, m in [(2, 3), (3, -2), (-4, 1), (5, 5)]:  # a(x + m) = a x + a m
        out.append(("expressions", f"{a}x{a * m:+d}", "expression", f"{a}(x{m:+d})", True, None, None))
        out.append(("expressions", f"{a}x{a * m:+d}", "expression", f"{a}(x{m + 1:+d})", False, None, None))
    return out


def _equations(rng: random.Random) -> list[Case]:
    out: list[Case] = []
    for _ in range(12):
        r1, r2 = rng.sample(range(-9, 10), 2)
        exp = f"x={r1}, x={r2}"
        for v in (
            f"x={r2} 或 x={r1}",
            f"x_1={r1}, x_2={r2}",
            f"x1={r1}, x2={r2}",
            f"x = {r1} and x = {r2}",
            f"x₁={r1}，x₂={r2}",
            rf"\{{{r1}, {r2}\}}",
        ):
            out.append(("equations", exp, "equation", v, True, None, None))
        out.append(("equations", exp, "equation", f"x={r1}", False, None, None))
        out.append(("equations", exp, "equation", f"x={r1}, x={-r2 if r2 else 1}", False, None, None))
    for r in (3, -4, 7):
        out.append(("equations", f"x={r}", "equation", f"x等于{r}", True, None, None))
        out.append(("equations", f"x={r}", "equation", f"y={r}", False, None, None))
    out.append(("equations", r"\varnothing", "equation", "无解", True, None, None))
    out.append(("equations", r"\varnothing", "equation", "no solution", True, None, None))
    out.append(("equations", "x=1", "equation", "无解", False, None, None))
    return out


def _intervals(rng: random.Random) -> list[Case]:
    out: list[Case] = []
    for _ in range(8):
        b = rng.randint(-9, 9)
        out += [
            ("sets/intervals", f"x>{b}", "inequality", v, True, None, None)
            for v in (f"{b}<x", rf"({b}, +\infty)", rf"x \in ({b}, +\infty)", f"{{x|x>{b}}}", f"x∈({b},+∞)")
        ]
        out += [
            ("sets/intervals", f"x>{b}", "inequality", v, False, None, None)
            for v in (f"x>={b}", rf"[{b}, +\infty)", f"x<{b}", f"x>{b + 1}")
        ]
        lo, hi = b, b + rng.randint(1, 6)
        out.append(("sets/intervals", f"{lo}<x<={hi}", "inequality", f"({lo}, {hi}]", True, None, None))
        out.append(("sets/intervals", f"{lo}<x<={hi}", "inequality", f"[{lo}, {hi}]", False, None, None))
        out.append(
            (
                "sets/intervals",
                f"x<{lo}, x>{hi}",
                "inequality",
                rf"(-\infty,{lo})\cup({hi},+\infty)",
                True,
                None,
                None,
            )
        )
    for a, b in [(1, 2), (-1, 4), (0, 5)]:
        out.append(("sets/intervals", rf"\{{{a},{b}\}}", "set", f"{{{b},{a}}}", True, None, None))
        out.append(("sets/intervals", rf"\{{{a},{b}\}}", "set", f"{{{a},{b},{b + 1}}}", False, None, None))
    return out


def _pairs(rng: random.Random) -> list[Case]:
    out: list[Case] = []
    for _ in range(10):
        x0, y0 = rng.randint(-6, 6), rng.randint(-6, 6)
        exp = f"x={x0}, y={y0}"
        out += [
            ("pairs", exp, "pair", v, True, None, None)
            for v in (f"({x0},{y0})", f"y={y0}, x={x0}", rf"\begin{{cases}} x={x0} \\ y={y0} \end{{cases}}")
        ]
        if x0 != y0:
            out.append(("pairs", exp, "pair", f"({y0},{x0})", False, None, None))
        out.append(("pairs", exp, "pair", f"x={x0}, y={y0 + 1}", False, None, None))
    return out


def _zh_prose() -> list[Case]:
    out: list[Case] = []
    for n in (3, 11, 23, 40, 7, 15):
        out.append(("zh prose", str(n), "number", f"答：一共有{n}个苹果。", True, None, None))
        out.append(("zh prose", str(n), "number", _zh_int(n), True, None, None))
        out.append(("zh prose", str(-n), "number", f"负{_zh_int(n)}", True, None, None))
        out.append(("zh prose", str(n), "number", f"负{n}", False, None, None))
        out.append(("zh prose", f"x={n}", "equation", f"x是{n}", True, None, None))
        out.append(("zh prose", f"x={n}", "equation", f"所以 x = {n + 1}", False, None, None))
        out.append(("zh prose", str(n), "number", f"不是{n}", False, None, None))
    for num, den in [(3, 4), (2, 3), (1, 5)]:
        out.append(
            ("zh prose", f"{num}/{den}", "number", f"{_zh_int(den)}分之{_zh_int(num)}", True, None, None)
        )
        out.append(
            ("zh prose", f"{num}/{den}", "number", f"{_zh_int(num)}分之{_zh_int(den)}", False, None, None)
        )
    out.append(("zh prose", "0.2", "number", "百分之二十", True, None, None))
    out.append(("zh prose", "105", "number", "一百零五", True, None, None))
    return out


def _en_prose() -> list[Case]:
    out: list[Case] = []
    for n in (3, 21, 30, 45, 12):
        out.append(("en prose", str(n), "number", f"The answer is {n}.", True, None, None))
        out.append(("en prose", str(n), "number", _en_int(n), True, None, None))
        out.append(("en prose", str(-n), "number", f"negative {_en_int(n)}", True, None, None))
        out.append(("en prose", f"x={n}", "equation", f"x equals {_en_int(n)}", True, None, None))
        out.append(("en prose", str(n), "number", f"The answer is {n + 1}.", False, None, None))
        out.append(("en prose", str(n), "number", f"about {n}", False, None, None))
    out.append(("en prose", "3/4", "number", "three quarters", True, None, None))
    out.append(("en prose", "0.5", "number", "point five", True, None, None))
    out.append(("en prose", "2/3", "number", "two thirds", True, None, None))
    return out


def _latex_short() -> list[Case]:
    out: list[Case] = []
    for a, b in [(7, 8), (1, 3), (2, 9), (5, 6)]:
        out.append(("latex short forms", f"{a}/{b}", "number", rf"\frac{a}{b}", True, None, None))
        out.append(("latex short forms", f"{a}/{b}", "number", rf"\dfrac{{{a}}}{{{b}}}", True, None, None))
        out.append(("latex short forms", f"{a}/{b}", "number", rf"\tfrac{a}{b}", True, None, None))
        out.append(("latex short forms", f"{a}/{b}", "number", rf"\frac{b}{a}", False, None, None))
    for n in (2, 3, 5, 7):
        out.append(("latex short forms", rf"\sqrt{{{n}}}", "number", rf"\sqrt{n}", True, None, None))
        out.append(("latex short forms", rf"\sqrt{{{n}}}", "number", rf"\sqrt{n + 1}", False, None, None))
    out.append(("latex short forms", r"(1, +\infty)", "inequality", r"(1,+\infty)", True, None, None))
    return out


def _units() -> list[Case]:
    out: list[Case] = []
    for n in (12, 125, 8, 60):
        for v in (
            f"{n} cm",
            f"{n}厘米",
            rf"{n}\text{{ miles}}",
            f"${n}",
            f"{n} dollars",
            f"答：绳子长{n}米。",
        ):
            out.append(("units", str(n), "number", v, True, None, None))
        out.append(("units", str(n), "number", f"{n + 1} cm", False, None, None))
        out.append(("units", str(n), "number", f"{n}平方米", True, None, None))
    return out


def _forms() -> list[Case]:
    out: list[Case] = []
    forms = [
        ("x=19", "equation", "x - 7 = 12", False, "solve", "Solve: x - 7 = 12"),
        ("x=19", "equation", "x = 19", True, "solve", "Solve: x - 7 = 12"),
        ("x=5", "equation", "3x+5=20", False, "solve", "解方程：3x+5=20"),
        ("x=5", "equation", "2x=10", False, "solve", "解方程：3x+5=20"),
        ("29/10", "number", "7/5 + 3/2", False, "calculate", "Calculate: 7/5 + 3/2"),
        ("29/10", "number", "2.9", True, "calculate", "Calculate: 7/5 + 3/2"),
        ("29/10", "number", "2 9/10", True, "calculate", "Calculate: 7/5 + 3/2"),
        ("29/10", "number", "58/20", False, "calculate", "Calculate: 7/5 + 3/2"),
        ("8", "number", "2*2*2", False, "calculate", "计算：2^3"),
        ("8", "number", "2^3", False, "calculate", "计算：2^3"),
        ("1/4", "number", "2/8", False, "reduce", "约分 12/48"),
        ("1/4", "number", "0.25", False, "reduce", "约分 12/48"),
        ("1/4", "number", "1/4", True, "reduce", "约分 12/48"),
        ("x^2+5x+6", "expression", "(x+2)(x+3)", False, "expand", "Expand (x+2)(x+3)"),
        ("x^2+5x+6", "expression", "x^2+2x+3x+6", False, "expand", "Expand (x+2)(x+3)"),
        ("x^2+5x+6", "expression", "x^2+5x+6", True, "expand", "Expand (x+2)(x+3)"),
        ("(x+2)(x+3)", "expression", "x^2+5x+6", False, "factor", "Factor x^2+5x+6"),
        ("(x+2)(x+3)", "expression", "(x+3)(x+2)", True, "factor", "Factor x^2+5x+6"),
        ("2(x-2)(x+2)", "expression", "2(x^2-4)", False, "factor", "Factor 2x^2-8"),
        ("2(x-2)(x+2)", "expression", "(2x-4)(x+2)", False, "factor", "Factor 2x^2-8"),
        ("2(x-2)(x+2)", "expression", "2(x+2)(x-2)", True, "factor", "Factor 2x^2-8"),
        ("2x+7y", "expression", "3x+5y-x+2y", False, "simplify", "Simplify 3x+5y-x+2y"),
        ("2x+7y", "expression", "7y+2x", True, "simplify", "Simplify 3x+5y-x+2y"),
        ("x^7", "expression", "x^3*x^4", False, "simplify", "Simplify x^3 x^4"),
        ("2/x", "expression", "(2x+4)/(x^2+2x)", False, "simplify", "Simplify (2x+4)/(x^2+2x)"),
        ("2/x", "expression", "2/x", True, "simplify", "Simplify (2x+4)/(x^2+2x)"),
        (r"2\sqrt{2}", "number", r"\sqrt{8}", False, "calculate", r"计算 \sqrt{8}"),
        (r"2\sqrt{2}", "number", r"2\sqrt{2}", True, "calculate", r"计算 \sqrt{8}"),
        ("x>4", "inequality", "2x-3>5", False, "solve", "解不等式 2x-3>5"),
        ("x>4", "inequality", "x>4", True, "solve", "解不等式 2x-3>5"),
        ("x=2, y=1", "pair", "x+y=3, x-y=1", False, "solve", "解方程组 x+y=3, x-y=1"),
        ("x=2, y=1", "pair", "x=2, y=1", True, "solve", "解方程组 x+y=3, x-y=1"),
        ("3/2", "number", "3/2 / (1/2) * 1/2", False, "calculate", "Calculate 3/2 ÷ 1"),
        ("11", "number", "2*3+5", False, "evaluate", "当x=3时，求2x+5的值"),
        ("11", "number", "11", True, "evaluate", "当x=3时，求2x+5的值"),
    ]
    for expected, kind, submitted, correct, task, question in forms:
        out.append(("form requirements", expected, kind, submitted, correct, task, question))
        # the same with the task read from the question only
        out.append(("form requirements", expected, kind, submitted, correct, None, question))
    return out


def corpus() -> list[Case]:
    rng = random.Random(20261202)
    return (
        _numbers(rng)
        + _expressions(rng)
        + _equations(rng)
        + _intervals(rng)
        + _pairs(rng)
        + _zh_prose()
        + _en_prose()
        + _latex_short()
        + _units()
        + _forms()
    )


CASES = corpus()


def test_corpus_is_large_and_covers_every_category() -> None:
    assert len(CASES) >= 400
    counts: dict[str, int] = defaultdict(int)
    for case in CASES:
        counts[case[0]] += 1
    assert len(counts) == 10 and min(counts.values()) >= 20, counts
    assert sum(c[4] for c in CASES) >= 150 and sum(not c[4] for c in CASES) >= 150


def test_no_wrong_answer_is_accepted_and_each_category_agrees_on_90_percent() -> None:
    stats: dict[str, list[int]] = defaultdict(
        lambda: [0, 0, 0, 0]
    )  # total, agreed, false accept, false reject
    false_accepts: list[Case] = []
    false_rejects: list[tuple[Case, str]] = []
    for case in CASES:
        category, expected, kind, submitted, correct, task, question = case
        result = grade_answer_sync(expected, kind, submitted, task=task, question=question)
        row = stats[category]
        row[0] += 1
        if result.correct == correct:
            row[1] += 1
        elif result.correct:
            row[2] += 1
            false_accepts.append(case)
        else:
            row[3] += 1
            false_rejects.append((case, result.reason))
    print("\nanswer equivalence by category")
    print(f"{'category':<20}{'cases':>7}{'agreed':>8}{'false acc':>11}{'false rej':>11}{'agree %':>9}")
    for category, (total, agreed, fa, fr) in sorted(stats.items()):
        print(f"{category:<20}{total:>7}{agreed:>8}{fa:>11}{fr:>11}{100 * agreed / total:>8.1f}%")
    total = sum(r[0] for r in stats.values())
    agreed = sum(r[1] for r in stats.values())
    print(
        f"{'all':<20}{total:>7}{agreed:>8}{len(false_accepts):>11}{len(false_rejects):>11}{100 * agreed / total:>8.1f}%"
    )
    for case, reason in false_rejects:
        print("false reject:", case[1:6], reason[:100])
    assert not false_accepts, false_accepts
    low = {c: round(r[1] / r[0], 3) for c, r in stats.items() if r[1] / r[0] < 0.9}
    assert not low, low


@pytest.mark.parametrize(
    ("expected", "kind", "submitted"),
    [("5", "number", "5"), ("x=2, x=3", "equation", "x=3 或 x=2"), ("x>3", "inequality", "(3, +∞)")],
)
def test_spot_checks_read_as_documented(expected: str, kind: str, submitted: str) -> None:
    assert grade_answer_sync(expected, kind, submitted).correct
