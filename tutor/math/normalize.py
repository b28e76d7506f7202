"""Unify how math is typed before anything reads it: full-width forms, unicode operators, sub- and
superscripts, LaTeX short forms (``\\frac78``, ``\\sqrt3``) and ``.4``.

Kept apart from the parser so the prose reader (:mod:`tutor.math.spoken`) and the parser share it.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_text"]

_SUPERSCRIPTS = {"²": "^2", "³": "^3", "⁴": "^4", "¹": "^1", "⁰": "^0", "⁻¹": "^(-1)"}
_SUBSCRIPTS = {chr(0x2080 + d): f"_{d}" for d in range(10)}
_REPLACEMENTS = {
    "−": "-",
    "–": "-",
    "—": "-",
    "≤": "<=",
    "≦": "<=",
    "⩽": "<=",
    "≥": ">=",
    "≧": ">=",
    "⩾": ">=",
    "≠": "!=",
    "±": "\\pm ",
    "∓": "\\pm ",
    "∞": "\\infty ",
    "π": "\\pi ",
    "∈": "\\in ",
    "∪": "\\cup ",
    "∩": "\\cap ",
    "∅": "\\varnothing ",
    "×": "*",
    "✕": "*",
    "·": "*",
    "⋅": "*",
    "∙": "*",
    "÷": "/",
    "。": ". ",
    "、": ",",
    "﹣": "-",
    "∴": " 所以 ",
    "∵": " 因为 ",
}
_LATEX_ARG = r"(\{[^{}]*\}|[0-9a-zA-Z])"


def _latex_short_forms(text: str) -> str:
    """``\\frac78`` -> ``\\frac{7}{8}``, ``\\sqrt3`` -> ``\\sqrt{3}`` (TeX takes one character)."""

    def brace(arg: str) -> str:
        return arg if arg.startswith("{") else "{" + arg + "}"

    text = re.sub(
        rf"\\([dt]?frac)\s*{_LATEX_ARG}\s*{_LATEX_ARG}",
        lambda m: f"\\{m.group(1)}{brace(m.group(2))}{brace(m.group(3))}",
        text,
    )
    return re.sub(r"\\sqrt\s*(?![\[{])([0-9a-zA-Z])", r"\\sqrt{\1}", text)


def normalize_text(text: str) -> str:
    """Unify full-width forms, unicode operators and short forms before parsing."""
    for sup, rep in _SUPERSCRIPTS.items():
        text = text.replace(sup, rep)
    for sub, rep in _SUBSCRIPTS.items():
        text = text.replace(sub, rep)
    text = unicodedata.normalize("NFKC", text)
    if "÷" in text:  # 2/3 ÷ 4/9: typed fractions next to ÷ are single numbers
        text = re.sub(r"(?<![\w.)/^])(\d+/\d+)(?![\w.(^/])", r"(\1)", text)
    for old, new in _REPLACEMENTS.items():
        text = text.replace(old, new)
    text = text.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    text = _latex_short_forms(text)
    text = re.sub(r"(?<![\d.])\.(\d)", r"0.\1", text)  # .4 -> 0.4
    text = re.sub(r"√\s*", "\\\\sqrt ", text) if "\\" in text else text
    return text.strip()
