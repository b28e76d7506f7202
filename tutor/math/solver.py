"""Solve a problem string step by step: read what is asked, then hand it to the right solver.

The problem is read with the one bilingual vocabulary (:mod:`tutor.math.spoken`): instruction words
(解方程 / Solve the inequality / 化简 / factor / 求导 ...) give the task, connective words are read,
and a word the engine cannot map is a 422 naming it (zh and en), never dropped.

Supported: linear equations (brackets, fractions, decimals, proportions), quadratics (factoring,
formula, square roots), polynomial equations with a rational root, fractional and radical equations
(with 检验 of extraneous roots), absolute-value equations and inequalities, 2x2 linear systems,
linear inequalities, chained inequalities and systems of inequalities, arithmetic with fractions,
decimals, percents and mixed numbers, expand / factor / simplify / reduce, evaluating an expression
or a function, derivatives of polynomials, powers, roots, sin, cos, e^x and ln x.
"""

from __future__ import annotations

import re

import sympy

from tutor.errors import UnprocessableError
from tutor.math.normalize import normalize_text
from tutor.math.parsing import ParsedMath, _split_top, _strip_latex_layout, parse_expression, parse_math
from tutor.math.solver_equations import solve_inequality, solve_linear_or_quadratic, solve_system
from tutor.math.solver_expressions import (
    solve_arithmetic,
    solve_derivative,
    solve_evaluate,
    solve_expand,
    solve_factor,
    solve_simplify,
)
from tutor.math.solver_more import (
    solve_abs_equation,
    solve_abs_inequality,
    solve_chained_inequality,
    solve_evaluate_function,
    solve_fractional,
    solve_inequality_system,
    solve_polynomial_by_factoring,
    solve_radical,
)
from tutor.math.spoken import has_prose, read_prose
from tutor.math.steps import Solution, UncheckedStepError

__all__ = ["TASKS", "detect_task", "plain_to_latex", "solve_problem"]

TASKS = (
    "solve",
    "arithmetic",
    "calculate",
    "expand",
    "factor",
    "simplify",
    "reduce",
    "evaluate",
    "derivative",
)
MAX_DEGREE = 6
_DERIV = re.compile(r"\\frac\{d\}\{d\s*([a-z])\}|\bd\s*/\s*d([a-z])\b")
_LABEL = re.compile(r"^\s*[a-zA-Z]'?\s*(?:\(\s*[a-z]\s*\))?\s*=(?!=)")
_DEF = re.compile(r"^\s*([a-zA-Z])\s*\(\s*([a-z])\s*\)\s*=(?!=)\s*(.+)$")
_CALL = re.compile(r"^\s*([a-zA-Z])(')?\s*\(\s*([^()]+?)\s*\)\s*$")


def _refuse(en: str, zh: str) -> UnprocessableError:
    return UnprocessableError(en, detail_zh=zh)


def detect_task(problem: str) -> tuple[str | None, str]:
    """Split the instruction (化简 / factor / d/dx ...) from the math; returns (task, plain math)."""
    text = _strip_latex_layout(normalize_text(problem))
    text = _DERIV.sub(" 求导 ", text)
    reading = read_prose(text)
    math = reading.math
    if reading.task == "derivative":
        math = _LABEL.sub("", math, count=1)
    return reading.task, math.strip()


def _balanced_call(text: str, name: str, opening: str, closing: str) -> str:
    out, i = "", 0
    while i < len(text):
        if text.startswith(name + "(", i) and (i == 0 or not text[i - 1].isalpha()):
            depth, j = 1, i + len(name) + 1
            while j < len(text) and depth:
                depth += text[j] == "("
                depth -= text[j] == ")"
                j += 1
            inner = _balanced_call(text[i + len(name) + 1 : j - 1], name, opening, closing)
            out += opening + inner + closing
            i = j
        else:
            out += text[i]
            i += 1
    return out


def plain_to_latex(text: str) -> str:
    """LaTeX for plain math as the learner wrote it (order and brackets kept): ``*`` -> ×, ``÷`` -> ÷."""
    s = text.replace("÷", r" \div ").replace("×", r" \times ").replace("*", r" \times ")
    s = _balanced_call(s, "sqrt", r"\sqrt{", "}")
    s = _balanced_call(s, "abs", r"\left|", r"\right|")
    s = s.replace("<=", r" \le ").replace(">=", r" \ge ").replace("!=", r" \ne ")
    s = re.sub(r"\^\(([^()]*)\)", r"^{\1}", s)
    s = re.sub(r"\^(-?\d+(?:\.\d+)?)", r"^{\1}", s)
    for name in ("sin", "cos", "tan", "ln", "log"):
        s = re.sub(rf"(?<![A-Za-z\\]){name}(?![a-z])", rf"\\{name} ", s)
    s = re.sub(r"\bpi\b", r"\\pi ", s)
    s = re.sub(r"\boo\b", r"\\infty ", s)
    s = s.replace("%", r"\%")
    s = re.sub(r"(?<![\w.)^/])(\d+)/(\d+)(?![\w.(^/])", r"\\frac{\1}{\2}", s)
    return re.sub(r"\s+", " ", s).strip()


def _given(problem: str, math_text: str) -> str:
    """The "given" step: the problem as the learner wrote it (math only, order kept)."""
    if "\\" in math_text:
        return math_text.strip()
    original = problem.strip().rstrip("?？").strip()
    if not has_prose(original) and ":" not in original and not _DERIV.search(normalize_text(original)):
        return plain_to_latex(original)
    return plain_to_latex(math_text)


def _wrapped(text: str) -> bool:
    """``(...)`` around the whole text (not ``(a)+(b)``)."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(text) - 1:
            return False
    return True


def _single_var(item: sympy.Basic) -> sympy.Symbol:
    syms = sorted(item.free_symbols, key=lambda s: s.name)
    if len(syms) != 1:
        raise UnprocessableError(
            f"Expected exactly one unknown, found {len(syms)} ({', '.join(s.name for s in syms) or 'none'}).",
            detail_zh=f"应当只有一个未知数，这里有 {len(syms)} 个。",
        )
    return syms[0]


def _has_var_denominator(item: sympy.Rel, x: sympy.Symbol) -> bool:
    terms = [*sympy.Add.make_args(item.lhs), *sympy.Add.make_args(item.rhs)]
    return any(sympy.fraction(sympy.together(t))[1].has(x) for t in terms)


def _has_radical(item: sympy.Basic, x: sympy.Symbol) -> bool:
    return any(
        isinstance(p, sympy.Pow) and not p.exp.is_Integer and p.base.has(x)
        for p in sympy.preorder_traversal(item)
    )


def _function_problem(task: str | None, pieces: list[str], given: str) -> Solution | None:
    defs: dict[str, tuple[sympy.Symbol, sympy.Expr]] = {}
    others: list[str] = []
    for piece in pieces:
        m = _DEF.match(piece)
        if m and task != "derivative" and m.group(1) != m.group(2):
            var = sympy.Symbol(m.group(2))
            body = parse_expression(m.group(3))
            defs[m.group(1)] = (var, body)
        else:
            others.append(piece)
    if not defs:
        return None
    if len(others) != 1:
        raise _refuse(
            "Say which value of the function to find, such as f(4).", "请说明要求函数的哪个值，例如 f(4)。"
        )
    call = _CALL.match(others[0])
    if call is None or call.group(1) not in defs:
        raise _refuse(
            f"Could not tell what to find from '{others[0]}' (expected something like f(4)).",
            f"无法从“{others[0]}”看出要求什么（例如 f(4)）。",
        )
    var, body = defs[call.group(1)]
    if call.group(2):
        return solve_derivative(
            rf"{call.group(1)}'({var.name}),\ {call.group(1)}({var.name}) = {sympy.latex(body)}", body, var
        )
    at = parse_expression(call.group(3))
    if at.free_symbols:
        raise _refuse("Only numbers can be put into the function here.", "这里只能把数代入函数。")
    return solve_evaluate_function(given, call.group(1), var, body, at)


def _dispatch(task: str | None, math_text: str, given: str, method: str | None) -> Solution:
    pieces = [p for p in _split_top(math_text) if p]
    function = _function_problem(task, pieces, given)
    if function is not None:
        return function
    parsed: ParsedMath = parse_math(math_text)
    raw: ParsedMath = parse_math(math_text, evaluate=False)
    items, raw_items = parsed.items, raw.items
    decimals = bool(re.search(r"\d\.\d", math_text))
    eqs = [i for i in raw_items if isinstance(i, sympy.Eq)]
    rels = [i for i in items if isinstance(i, sympy.Rel) and not isinstance(i, sympy.Eq | sympy.Ne)]
    if len(items) == 2 and len(eqs) == 2 and task in (None, "solve"):
        return _system(given, eqs, method)
    if len(items) >= 2 and len(rels) == len(items) and task in (None, "solve"):
        x = _single_var(sympy.And(*rels))
        return solve_inequality_system(given, rels, x)
    assignments = [
        i
        for i in items
        if isinstance(i, sympy.Eq) and isinstance(i.lhs, sympy.Symbol) and not i.rhs.free_symbols
    ]
    exprs = list(dict.fromkeys(i for i in items if isinstance(i, sympy.Expr)))
    if assignments and len(exprs) == 1 and len(assignments) + len(exprs) <= len(items):
        values = {i.lhs: i.rhs for i in assignments}
        raw_expr = next(r for r in raw_items if isinstance(r, sympy.Expr))
        return solve_evaluate(given, raw_expr if raw_expr.free_symbols else exprs[0], values)
    if len(items) != 1:
        raise _refuse(
            "Give one equation, inequality or expression (or a system of two equations).",
            "请给出一个方程、不等式或式子（或由两个方程组成的方程组）。",
        )
    item, raw_item = items[0], raw_items[0]
    if isinstance(item, sympy.Eq):
        return _equation(given, item, raw_item, decimals, method)
    if isinstance(item, sympy.And) and all(isinstance(a, sympy.Rel) for a in item.args):
        x = _single_var(item)
        return solve_chained_inequality(given, item, x)
    if isinstance(item, sympy.Rel) and not isinstance(item, sympy.Ne):
        x = _single_var(item)
        if item.has(sympy.Abs):
            return solve_abs_inequality(given, item, x)
        diff = sympy.expand(item.lhs - item.rhs)
        if not diff.is_polynomial(x) or sympy.degree(diff, x) > 1:
            raise _refuse("Only linear inequalities are supported.", "只支持一元一次不等式。")
        return solve_inequality(given, raw_item, x, decimals=decimals)
    if not isinstance(item, sympy.Expr):
        raise _refuse("This kind of statement is not supported (≠ ...).", "不支持这种式子（如 ≠）。")
    if task == "derivative":
        x = _single_var(item) if item.free_symbols else sympy.Symbol("x")
        inner = given[1:-1] if _wrapped(given) else given
        return solve_derivative(rf"\frac{{d}}{{d{x.name}}}\left({inner}\right)", item, x)
    if not item.free_symbols:
        return solve_arithmetic(given, raw_item)
    if task == "factor":
        return solve_factor(given, item)
    if task == "expand":
        return solve_expand(given, raw_item)
    if task in ("solve",):
        raise _refuse("There is no equation or inequality to solve.", "没有可以解的方程或不等式。")
    return solve_simplify(given, raw_item)


def _system(given: str, eqs: list[sympy.Eq], method: str | None) -> Solution:
    syms = sorted(set().union(*[e.free_symbols for e in eqs]), key=lambda s: s.name)
    if len(syms) != 2:
        raise _refuse(
            "A system needs exactly two unknowns (such as x and y).",
            "方程组需要恰好两个未知数（如 x 和 y）。",
        )
    for e in eqs:
        if sympy.Poly(sympy.expand(e.lhs - e.rhs), *syms).total_degree() > 1:
            raise _refuse("Only linear systems are supported.", "只支持二元一次方程组。")
    m = sympy.Matrix([[sympy.expand(e.lhs - e.rhs).coeff(s) for s in syms] for e in eqs])
    if m.det() == 0:
        raise _refuse(
            "This system has no unique solution (its equations are parallel or the same).",
            "这个方程组没有唯一解（两个方程矛盾或相同）。",
        )
    return solve_system(given, (eqs[0], eqs[1]), syms[0], syms[1], method)


def _equation(
    given: str, item: sympy.Eq, raw_item: sympy.Basic, decimals: bool, method: str | None
) -> Solution:
    x = _single_var(item)
    if item.has(sympy.Abs):
        return solve_abs_equation(given, item, x)
    if _has_radical(item, x):
        return solve_radical(given, item, x)
    if _has_var_denominator(item, x):
        return solve_fractional(given, item, x)
    try:
        degree = sympy.Poly(sympy.expand(item.lhs - item.rhs), x).degree()
    except sympy.PolynomialError:
        raise _refuse(
            "Only polynomial, fractional, radical and absolute-value equations are supported.",
            "只支持整式方程、分式方程、无理方程和绝对值方程。",
        ) from None
    if degree > MAX_DEGREE:
        raise _refuse(f"Equations of degree {degree} are not supported.", f"不支持 {degree} 次方程。")
    if degree > 2:
        return solve_polynomial_by_factoring(given, item, x)
    return solve_linear_or_quadratic(given, raw_item, x, decimals=decimals, method=method)  # type: ignore[arg-type]


def solve_problem(problem: str, *, task: str | None = None, method: str | None = None) -> Solution:
    """Worked solution for ``problem`` (LaTeX, plain text or a short instruction in Chinese/English)."""
    detected, math_text = detect_task(problem)
    task = task or detected
    if task == "arithmetic":
        task = "calculate"
    if task is not None and task not in TASKS:
        raise UnprocessableError(
            f"Unknown task '{task}'; use one of {', '.join(TASKS)}.", detail_zh="未知的题型。"
        )
    if not math_text:
        raise _refuse("No math found in the problem.", "题目中没有找到数学内容。")
    given = _given(problem, math_text)
    try:
        return _dispatch(task, math_text, given, method)
    except UnprocessableError:
        raise
    except UncheckedStepError:
        raise _refuse(
            "The engine could not produce a checked solution for this problem.",
            "系统无法为这道题给出经过检查的解答。",
        ) from None
    except (
        ValueError,
        TypeError,
        NotImplementedError,
        IndexError,
        AttributeError,
        sympy.PolynomialError,
    ) as exc:
        raise _refuse(
            f"This problem is not supported by the symbolic engine ({type(exc).__name__}).",
            "符号引擎暂不支持这道题。",
        ) from None
