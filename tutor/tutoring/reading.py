"""Read a model's step the way a teacher would: find every claim it makes, so each can be checked.

Real model output (BELLE-style) wraps its math in prose: ``系数化为1，得 $x = 5$``, ``Subtract 3 from
both sides, so 2x = 4``, ``2x = 4 \\Rightarrow x = 2``, ``① 2x=4``, ``第二步：移项``. A step is split into
*claims*, one piece of math each: the contents of ``$...$`` when there are any, else the clauses
between prose separators (``，`` ``：`` ``得`` ``so`` ``therefore`` ...) and chain arrows
(``\\Rightarrow``, ``⇒``, ``∴``). Clauses that are pure math and adjacent (``x_1 = 2, x_2 = 3``) stay
together. A clause without a relation is prose (``两边同时减 3``) and is not a claim, unless it is a
continuation ``= 3 + 8``.

Pure functions, no I/O: the sandboxed checker (:mod:`tutor.tutoring.checking`) calls them.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["Claim", "has_relation", "read_claims", "strip_label"]

# labels that number a step: ①, (1), （1）, 第一步, 第1步, 步骤1, Step 1, 1.
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ZH_NUM = "一二三四五六七八九十"
LABEL = re.compile(
    rf"^\s*(?:[{_CIRCLED}]|[(（]\s*\d+\s*[)）]|第\s*[\d{_ZH_NUM}]+\s*步|步骤\s*[\d{_ZH_NUM}]+"
    rf"|(?:step|Step|STEP)\s*\d+|\d+\s*(?:\.(?!\d)|[)、]))\s*[:：.、]?\s*"
)
_INLINE = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
# chain arrows and logical connectives between claims
_CHAIN = re.compile(
    r"\\(?:Longrightarrow|Rightarrow|implies|Leftrightarrow|iff|therefore|because|to)(?![A-Za-z])"
    r"|⟹|⇒|⇔|→|=>|∴|∵"
)
# clause separators: punctuation, and words that introduce a result
_CLAUSE = re.compile(
    r"([，,；;。：:！!？?]\s*|\.(?=\s|$)\s*"
    r"|(?<![A-Za-z])(?:so|thus|hence|therefore|then|(?:we|you) get|gives|giving|yields|we obtain|we have"
    r"|i\.e\.)(?![A-Za-z])"
    r"|所以|因此|于是|从而|可得|解得|求得|即得|即|得到|得|则|故|是|为)",
    re.IGNORECASE,
)
_RELATION = re.compile(
    r"(?<![<>!=])=(?!=)|[<>≤≥≠≦≧≈]|\\(?:le|ge|leq|geq|neq|ne|lt|gt|approx|sim|equiv)(?![A-Za-z])"
    r"|等于|大于|小于|不等于|equals|is equal to|greater than|less than"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_EN_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}(?![A-Za-z])")
_MATH_WORDS = {"sin", "cos", "tan", "log", "sqrt", "frac", "cdot", "times", "div", "pm", "left", "right"}
_DIGIT_OR_VAR = re.compile(r"[0-9a-zA-Z]")


class Claim(NamedTuple):
    """One piece of math a step states; ``relation`` when it asserts (=, <, ...), else a value
    continued from the previous line (``= 3 + 8``)."""

    text: str
    relation: bool


def strip_label(step: str) -> str:
    """The step without its number/label (``①``, ``第二步：``, ``Step 3:``)."""
    return LABEL.sub("", step, count=1)


def has_relation(text: str) -> bool:
    """Does the text assert something (an equation, inequality, or one in words)?"""
    return bool(_RELATION.search(_CHAIN.sub(" ", text)))


def _is_prose(clause: str) -> bool:
    if _CJK.search(clause):
        return True
    return any(w.lower() not in _MATH_WORDS for w in _EN_WORD.findall(clause))


_ASSIGNMENT = re.compile(r"^\s*[a-zA-Z](?:_\{?\d+\}?)?\s*=\s*[^=<>]+$")


def _merge_math(pieces: list[str]) -> list[str]:
    """Clauses, with assignments joined by a comma kept together: ``x_1 = 2, x_2 = 3`` (roots),
    ``x = 3, y = 2`` (a pair). ``pieces`` alternates clause, separator, clause, ..."""
    out: list[str] = []
    prev_pure = False
    for i in range(0, len(pieces), 2):
        clause = pieces[i].strip()
        sep = pieces[i - 1].strip() if i else ""
        pure = bool(_ASSIGNMENT.match(clause.strip(" .。")))
        if out and pure and prev_pure and sep in (",", "，"):
            out[-1] = f"{out[-1]}, {clause}"
        elif clause:
            out.append(clause)
        prev_pure = pure
    return out


def _claims_of(text: str) -> list[Claim]:
    claims: list[Claim] = []
    for link in _CHAIN.split(text):
        for clause in _merge_math(_CLAUSE.split(link)):
            body = clause.strip(" .。")
            if not _DIGIT_OR_VAR.search(body):
                continue
            if body.startswith("=") and not has_relation(body[1:]):
                claims.append(Claim(body[1:].strip(), False))  # "= 3 + 8": the value, rewritten
            elif has_relation(body):
                claims.append(Claim(body, True))
    return claims


_ASIDE = re.compile(r"[(（][^()（）]*[)）]")


def _drop_asides(text: str) -> str:
    """``2x = 4（移项）``, ``x = 2 (divide by 2)``: a parenthesis of prose is a comment, not math."""
    return _ASIDE.sub(lambda m: " " if _is_prose(m.group(0)) else m.group(0), text)


def read_claims(step: str) -> list[Claim]:
    """The claims of one step, in order (see the module docstring); empty for pure prose."""
    text = _drop_asides(strip_label(step)).strip()
    inline = [next(g for g in m.groups() if g is not None) for m in _INLINE.finditer(text)]
    if inline:
        out: list[Claim] = []
        for piece in inline:
            out.extend(_claims_of(piece))
        # a relation written outside the $...$ (``$x$ 等于 5``) must still be read
        outside = _INLINE.sub(" ", text)
        if has_relation(outside) and not any(c.relation for c in out):
            return _claims_of(text.replace("$", " "))
        return out
    return _claims_of(text)
