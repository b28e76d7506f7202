"""Read LaTeX, plain text and light prose math into SymPy objects.

One entry point, :func:`parse_math`, turns a string into a :class:`ParsedMath`: a list of items
(expressions, equations, inequalities) plus the bracket that wrapped them, so ``(1, 2)``, ``\\{1, 2\\}``,
``x=2 或 x=3`` and ``\\begin{cases}...\\end{cases}`` all come out in one shape. LaTeX goes through
``latex2sympy2_extended``; plain text through SymPy's ``parse_expr`` with implicit multiplication and
a restricted namespace (``parse_expr`` evaluates code, so only whitelisted names ever reach it). Sizes
are checked on the unevaluated tree before anything is evaluated, so ``10^(10^10)`` is refused, not
computed.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

from tutor.errors import UnprocessableError
from tutor.math.normalize import normalize_text
from tutor.math.spoken import has_prose, read_prose

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_INPUT_CHARS",
    "ParsedMath",
    "normalize_text",
    "parse_expression",
    "parse_math",
    "to_exact",
]

MAX_INPUT_CHARS = 2000
MAX_DEPTH = 40
MAX_EXPONENT = 200
MAX_DIGITS = 400
MAX_FACTORIAL = 200
MAX_ITEMS = 20

_TRANSFORMS = (*standard_transformations, implicit_multiplication_application, convert_xor)


def _safe_factorial(n: Any) -> Any:
    """``parse_expr`` calls functions even with ``evaluate=False``: refuse huge factorials up front."""
    if getattr(n, "is_Number", False) and abs(float(n)) > MAX_FACTORIAL:
        raise ValueError(f"factorials are limited to {MAX_FACTORIAL}!")
    return sympy.factorial(n)


_FUNCS: dict[str, Any] = {
    "sqrt": sympy.sqrt,
    "pi": sympy.pi,
    "oo": sympy.oo,
    "inf": sympy.oo,
    "infty": sympy.oo,
    "infinity": sympy.oo,
    "abs": sympy.Abs,
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "ln": sympy.log,
    "log": sympy.log,
    "exp": sympy.exp,
    "factorial": _safe_factorial,
    "eulere": sympy.E,
}
_GLOBALS: dict[str, Any] = {
    "__builtins__": {},
    "Integer": sympy.Integer,
    "Float": sympy.Float,
    "Rational": sympy.Rational,
    "Symbol": sympy.Symbol,
    "Function": sympy.Function,
    "factorial": _safe_factorial,
    "factorial2": _safe_factorial,
    "Add": sympy.Add,
    "Mul": sympy.Mul,
    "Pow": sympy.Pow,
    **_FUNCS,
}

_REL_LATEX = [
    (re.compile(r"\\(?:leqslant|leq|le)(?![a-zA-Z])"), "<="),
    (re.compile(r"\\(?:geqslant|geq|ge)(?![a-zA-Z])"), ">="),
    (re.compile(r"\\(?:neq|ne)(?![a-zA-Z])"), "!="),
    (re.compile(r"\\lt(?![a-zA-Z])"), "<"),
    (re.compile(r"\\gt(?![a-zA-Z])"), ">"),
]
_REL_SPLIT = re.compile(r"(<=|>=|!=|=|<|>)")
_ALLOWED_PLAIN = re.compile(r"^[0-9a-zA-Z_+\-*/^().,\s!%|]*$")
_ALPHA_RUN = re.compile(r"[a-zA-Z]+(?:_\d+)?")


@dataclass(frozen=True, slots=True)
class ParsedMath:
    """Items read from one string; ``bracket`` is ``(``, ``[``, ``{`` when they were a literal list."""

    items: tuple[sympy.Basic, ...]
    bracket: str = ""
    closing: str = ""
    percent: bool = False
    source: str = field(default="", compare=False)

    @property
    def single(self) -> sympy.Basic | None:
        return self.items[0] if len(self.items) == 1 and not self.bracket else None


_DETAIL_ZH = [
    ("it is empty", "内容为空"),
    ("nested", "括号嵌套太深"),
    ("exponent", "指数太大"),
    ("digits", "数字位数太多"),
    ("factorial", "阶乘太大"),
    ("two numbers in a row", "两个数连在一起，中间缺少运算符号"),
    ("is missing", "等号或不等号的一边缺失"),
    ("unexpected characters", "含有无法识别的字符"),
    ("unknown word", "含有无法识别的词"),
]


def _fail(text: str, detail: str) -> UnprocessableError:
    snippet = text if len(text) <= 80 else text[:77] + "..."
    zh = next((z for key, z in _DETAIL_ZH if key in detail), "不是有效的数学式")
    return UnprocessableError(
        f"Could not read the math in '{snippet}': {detail}",
        input=snippet,
        detail_zh=f"无法读取“{snippet}”中的数学式：{zh}。",
    )


def _read_words(text: str, source: str) -> str:
    """Words, '?' and plain formulas go through the one vocabulary (:mod:`tutor.math.spoken`),
    which refuses what it cannot read; pure LaTeX goes to the LaTeX parser as it is."""
    if "\\" in text and not has_prose(text):
        if re.search(r"\d\s+\d", re.sub(r"\\[a-zA-Z]+", "@", text)):
            raise _fail(source, "two numbers in a row (write the operation between them)")
        return text
    return read_prose(text).math


def _strip_latex_layout(text: str) -> str:
    text = re.sub(r"\\left\\\{\s*(?=\\begin\{(?:array|cases|aligned)\})", "", text)  # 方程组的大括号
    text = re.sub(
        r"\\(?:begin|end)\{(?:cases|aligned|align\*?|array|gathered|matrix)\}(?:\{[lcr]*\})?", " ", text
    )
    text = re.sub(r"\\text(?:rm|bf)?\{([^{}]*)\}", r" \1 ", text)
    text = re.sub(r"\\mathrm\{([^{}]*)\}", r"\1", text)
    text = text.replace("\\\\", ";").replace("&", " ")
    text = re.sub(r"\\(?:quad|qquad|,|;|!|:| )", " ", text)
    text = text.replace("\\left\\{", "\\{").replace("\\right.", "").replace("\\left.", "")
    text = text.replace("\\%", "%").replace("\\$", "").replace("$", "")
    text = text.replace("\\displaystyle", " ")
    for pattern, rel in _REL_LATEX:
        text = pattern.sub(rel, text)
    return text


def _split_top(text: str, seps: str = ",;") -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _fail(text, f"brackets are nested more than {MAX_DEPTH} deep")
        elif ch in ")]}":
            depth -= 1
        elif ch in seps and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _check_size(expr: sympy.Basic, text: str) -> None:
    """Refuse trees whose evaluation would be astronomically large, before evaluating them."""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Pow):
            base, exp = node.args
            if exp.is_Number and abs(float(exp)) > MAX_EXPONENT:
                raise _fail(text, f"the exponent {exp} is larger than {MAX_EXPONENT}")
            if not exp.is_Number and exp.is_number:
                raise _fail(text, "exponents must be plain numbers")
            if base.is_Number and exp.is_Number and base != 0:
                digits = abs(float(exp)) * float(sympy.log(abs(base), 10).evalf(5))
                if digits > MAX_DIGITS:
                    raise _fail(text, f"the number has more than {MAX_DIGITS} digits")
        elif isinstance(node, sympy.factorial | sympy.factorial2):
            arg = node.args[0]
            if not arg.is_Number or abs(float(arg)) > MAX_FACTORIAL:
                raise _fail(text, f"factorials are limited to {MAX_FACTORIAL}!")
        elif isinstance(node, sympy.Integer) and abs(int(node)) > 10**MAX_DIGITS:
            raise _fail(text, f"the number has more than {MAX_DIGITS} digits")


def to_exact(expr: Any) -> Any:
    """Decimals become exact rationals (0.5 -> 1/2) and symbols lose parser-specific assumptions.

    The tree is rebuilt without evaluation, so an unevaluated ``3(x-2)`` keeps its brackets.
    """
    if not isinstance(expr, sympy.Basic):
        return expr
    mapping: dict[sympy.Basic, sympy.Basic] = {f: sympy.Rational(str(f)) for f in expr.atoms(sympy.Float)}
    mapping.update({s: sympy.Symbol(s.name) for s in expr.atoms(sympy.Symbol) if s != sympy.Symbol(s.name)})
    if not mapping:
        return expr

    def rebuild(e: sympy.Basic) -> sympy.Basic:
        if e in mapping:
            return mapping[e]
        if not e.args:
            return e
        args = [rebuild(a) for a in e.args]
        if isinstance(e, sympy.Add | sympy.Mul | sympy.Pow):
            return e.func(*args, evaluate=False)
        return e.func(*args)

    return rebuild(expr)


_ATTRIBUTE = re.compile(r"\.\s*[A-Za-z_]")
# "pi.n(10)", "(1/3).n(50)", "x . subs(x, 2)": attribute access or a method call, never math (and never to be
# read as a product). A sentence's full stop ("2x=4. Find x") has a space and no call after it.
_ATTRIBUTE_ACCESS = re.compile(r"[\w)\]]\.[A-Za-z_]|[\w)\]]\s*\.\s*[A-Za-z_]\w*\s*\(")


def _plain_to_python(text: str) -> str:
    s = (
        text.replace("×", "*")
        .replace("÷", "/")
        .replace("·", "*")
        .replace("\\pi", "pi")
        .replace("\\infty", "oo")
        .replace("**", "^")
    )
    s = re.sub(r"√\s*(\d+(?:\.\d+)?|[a-zA-Z]|\([^()]*\))", r"sqrt(\1)", s)
    s = re.sub(r"(\d+(?:\.\d+)?)\s*%", r"(\1/100)", s)
    s = re.sub(r"\|([^|]+)\|", r"abs(\1)", s)
    s = re.sub(r"(?<![A-Za-z_])e(?=\s*\^)", "eulere", s)
    if not _ALLOWED_PLAIN.match(s):
        bad = sorted({c for c in s if not _ALLOWED_PLAIN.match(c)})
        raise _fail(text, "unexpected characters " + " ".join(repr(c) for c in bad))
    if _ATTRIBUTE.search(s):  # parse_expr evaluates Python: "pi.n(10^6)" would call a method
        raise _fail(text, "'.' followed by a name is not math (attribute access is never evaluated)")

    def fix_run(m: re.Match[str]) -> str:
        word = m.group(0)
        lower = word.lower()
        if lower in _FUNCS or re.fullmatch(r"[a-z]_\d+", lower):
            return lower
        if len(word) <= 3 and not keyword.iskeyword(lower):
            return "*".join(lower)
        raise _fail(text, f"unknown word '{word}'")

    return _ALPHA_RUN.sub(fix_run, s)


def parse_expression(text: str, *, evaluate: bool = True) -> sympy.Expr:
    """One expression (no relation) from LaTeX or plain text."""
    text = text.strip()
    if not text:
        raise _fail(text, "it is empty")
    latex = "\\" in text or "{" in text
    for number in re.findall(r"(\d+)\s*!", text):
        if len(number) > 4 or int(number) > MAX_FACTORIAL:
            raise _fail(text, f"factorials are limited to {MAX_FACTORIAL}!")
    if re.search(rf"\d{{{MAX_DIGITS + 1},}}", text):
        raise _fail(text, f"a number has more than {MAX_DIGITS} digits")
    try:
        if latex:
            from latex2sympy2_extended import latex2sympy

            raw = latex2sympy(text)
        else:
            raw = parse_expr(
                _plain_to_python(text),
                global_dict=dict(_GLOBALS),
                transformations=_TRANSFORMS,
                evaluate=False,
            )
    except UnprocessableError:
        raise
    except (RecursionError, MemoryError):
        raise _fail(text, "it is too deeply nested") from None
    except Exception as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _fail(text, f"not a valid formula ({detail[:120]})") from None
    if isinstance(raw, sympy.Set) or not isinstance(raw, sympy.Expr):
        raise _fail(text, "expected a single expression here")
    _check_size(raw, text)
    expr = to_exact(raw)
    if evaluate:
        expr = (
            expr.doit()
            if latex
            else parse_expr(_plain_to_python(text), global_dict=dict(_GLOBALS), transformations=_TRANSFORMS)
        )
        expr = to_exact(expr)
    return expr  # type: ignore[no-any-return]


_REL = {"<=": sympy.Le, ">=": sympy.Ge, "<": sympy.Lt, ">": sympy.Gt, "=": sympy.Eq, "!=": sympy.Ne}


def _parse_item(piece: str, *, evaluate: bool) -> sympy.Basic:
    tokens = _REL_SPLIT.split(piece)
    sides = [t.strip() for t in tokens[0::2]]
    ops = tokens[1::2]
    if not ops:
        return parse_expression(piece, evaluate=evaluate)
    if sides[0] == "" and ops[0] == "=" and len(sides) == 2:
        return parse_expression(sides[1], evaluate=evaluate)
    if any(s == "" for s in sides):
        raise _fail(piece, f"a side of '{ops[0]}' is missing")
    exprs = [parse_expression(s, evaluate=evaluate) for s in sides]
    rels = [_REL[op](a, b, evaluate=False) for op, a, b in zip(ops, exprs, exprs[1:], strict=False)]
    return rels[0] if len(rels) == 1 else sympy.And(*rels, evaluate=False)


def _expand_pm(piece: str) -> list[str]:
    piece = piece.replace("+-", "\\pm ").replace("\\mp", "\\pm")
    if "\\pm" not in piece:
        return [piece]
    return [piece.replace("\\pm", "+"), piece.replace("\\pm", "-")]


def parse_math(text: str, *, evaluate: bool = True) -> ParsedMath:
    """Parse one string into items; raises :class:`UnprocessableError` naming what could not be read."""
    if len(text) > MAX_INPUT_CHARS:
        raise UnprocessableError(f"The math is too long ({len(text)} characters, limit {MAX_INPUT_CHARS}).")
    source = text
    text = _strip_latex_layout(normalize_text(text)).strip().strip(",;").strip()
    if not text:
        raise _fail(source, "it is empty")
    if _ATTRIBUTE_ACCESS.search(text):
        raise _fail(source, "'.' followed by a name is not math (attribute access is never evaluated)")
    text = _read_words(text, source).strip().strip(",;").strip()
    if not text:
        raise _fail(source, "it is empty")
    percent = "%" in text
    bracket = closing = ""
    inner = text
    literal = re.fullmatch(r"(\\\{|\(|\[|\{)(.*?)(\\\}|\)|\]|\})", text, flags=re.S)
    if literal and "," in literal.group(2) and len(_split_top(literal.group(2))) > 1:
        # only a literal when the outer brackets enclose the whole text
        opened = literal.group(1)
        if len(_split_top(text)) == 1 and _balanced(literal.group(2)):
            bracket = "{" if opened in ("\\{", "{") else opened
            closing = {"\\}": "}"}.get(literal.group(3), literal.group(3))
            inner = literal.group(2)
    elif text.startswith("\\{") and text.endswith("\\}"):
        bracket, closing, inner = "{", "}", text[2:-2]
    pieces = [p for p in _split_top(inner) if p]
    if len(pieces) > MAX_ITEMS:
        raise _fail(source, f"more than {MAX_ITEMS} parts")
    items: list[sympy.Basic] = []
    for piece in pieces:
        for variant in _expand_pm(piece):
            try:
                items.append(_parse_item(variant, evaluate=evaluate))
            except UnprocessableError:
                raise
            except (TypeError, ValueError, AttributeError, ArithmeticError, RecursionError) as exc:
                raise _fail(variant, f"not a valid formula ({type(exc).__name__})") from None
    if not items:
        raise _fail(source, "it is empty")
    return ParsedMath(items=tuple(items), bracket=bracket, closing=closing, percent=percent, source=source)


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
