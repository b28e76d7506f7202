"""Pull the final answer out of free text a learner or a model wrote, in Chinese or English.

Order of trust: the last ``\\boxed{}``, then the text after the last answer marker (答：, 所以, 因此,
"the answer is", "therefore" ...), then the whole text. Units and measure words (个, 厘米, cm, dollars,
$) are skipped: the item bank grades the number, not the unit. Words that carry math are read.
"""

from __future__ import annotations

import re

from tutor.errors import UnprocessableError
from tutor.math.normalize import normalize_text
from tutor.math.spoken import read_answer_text

__all__ = ["extract_answer", "find_boxed"]

_MARKERS = re.compile(
    r"(?:答案是|答案为|答案:|答:|所以|因此|故|解得|得|∴|the answer is|answer is|answer:|final answer:?|"
    r"the solutions? (?:is|are)|solutions?:|"
    r"therefore,?|thus,?|hence,?|so,?(?=\s))",
    re.IGNORECASE,
)
_NO_SOLUTION = re.compile(
    r"(无解|无实数解|没有实数解|no\s+(?:real\s+)?solutions?|\\varnothing|\\emptyset|∅)", re.I
)


def find_boxed(text: str) -> str | None:
    """Content of the last ``\\boxed{...}`` (balanced braces), if any."""
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    i = start + len("\\boxed{")
    depth = 1
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i:j]
    return None


def _thousands(text: str) -> str:
    """``7,425,000`` is one number (two or more groups of three digits after commas)."""
    return re.sub(r"(?<![\d.,])\d{1,3}(?:,\d{3}){2,}(?![\d,])", lambda m: m.group(0).replace(",", ""), text)


def extract_answer(text: str) -> str:
    """The answer part of ``text`` as a math string (may still fail to parse).

    Prose around the math is read with the shared vocabulary in lenient mode
    (:func:`tutor.math.spoken.read_answer_text`): 负, 等于, 是, percent, 分之 ... are read, not
    dropped; only words that are not math (units, nouns) are skipped, and only when exactly one
    piece of math remains.
    """
    text = normalize_text(text)
    if _NO_SOLUTION.search(text) and not re.search(r"\d", _NO_SOLUTION.split(text)[-1] or ""):
        return "\\varnothing"
    if re.search(r"all real numbers|任意实数|全体实数|一切实数|\\mathbb\{R\}", text, flags=re.IGNORECASE):
        return "x \\in \\mathbb{R}"
    boxed = find_boxed(text)
    if boxed is not None:
        candidate = boxed
    else:
        marks = list(_MARKERS.finditer(text))
        candidate = text[marks[-1].end() :] if marks else text
        # the answer ends at the end of its sentence
        candidate = re.split(r"\n|[。!?]|\.(?=\s|$)", candidate.strip(), maxsplit=1)[0]
    candidate = candidate.strip().lstrip(":,").strip()
    candidate = re.sub(r"^[a-zA-Z]'+(?:\s*\(\s*[a-zA-Z]\s*\))?\s*=", "", candidate)
    candidate = _thousands(candidate.replace("\\$", "").replace("$", " "))
    try:
        return read_answer_text(candidate)
    except UnprocessableError:
        return re.sub(r"\s+", " ", candidate).strip()
