"""Pull the final answer out of free text a learner or a model wrote, in Chinese or English.

Order of trust: the last ``\\boxed{}``, then the text after the last answer marker (答：, 所以, 因此,
"the answer is", "therefore" ...), then the whole text. Units and measure words (个, 厘米, cm, dollars,
$) are dropped: the item bank grades the number, not the unit.
"""

from __future__ import annotations

import re

from tutor.math.parsing import normalize_text

__all__ = ["extract_answer", "find_boxed"]

_MARKERS = re.compile(
    r"(?:答案是|答案为|答案:|答:|所以|因此|故|解得|得|∴|the answer is|answer is|answer:|final answer:?|"
    r"the solutions? (?:is|are)|solutions?:|"
    r"therefore,?|thus,?|hence,?|so,?(?=\s))",
    re.IGNORECASE,
)
_CJK_KEEP = {"或", "和", "且", "无", "解"}
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_UNIT_WORDS = re.compile(
    r"(?<=[\d)}\s])\s*(?:[a-zA-Z]{2,}\.?)(?:\s+[a-zA-Z]{2,}\.?)*\s*$",
)
_NOT_UNITS = {"sqrt", "pi", "infty", "frac", "cdot", "times", "div", "or", "and"}
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


def _drop_units(text: str) -> str:
    text = text.replace("\\$", "").replace("$", " ")
    text = re.sub(r"\\(?:text|mathrm)\{\s*(?:[a-zA-Z]+|[\u3400-\u9fff]+)\s*\}\s*$", "", text)
    m = _UNIT_WORDS.search(text)
    if m and not any(w.strip(".").lower() in _NOT_UNITS for w in m.group(0).split()):
        text = text[: m.start()]
    return text


def _drop_prose(text: str) -> str:
    def keep(m: re.Match[str]) -> str:
        run = m.group(0)
        return run if run in _CJK_KEEP else " "

    return _CJK_RUN.sub(keep, text)


def extract_answer(text: str) -> str:
    """The answer part of ``text`` as a math string (may still fail to parse)."""
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
    candidate = re.sub(r"^(?:是|为)", "", candidate)
    candidate = re.sub(r"^[a-zA-Z]'+(?:\s*\(\s*[a-zA-Z]\s*\))?\s*=", "", candidate)
    candidate = _drop_units(_drop_prose(candidate))
    candidate = re.sub(r"\s+", " ", candidate).strip().strip(",;.").strip()
    candidate = re.sub(r"^(?:或|和|且)+|(?:或|和|且)+$", "", candidate).strip()
    return candidate
