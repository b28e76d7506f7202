"""Turn model text into structure: solution steps + final answer, and generated exercises (JSON).

The math engine's verifier needs steps as separate expressions and the ``\\boxed{}`` answer; the
exercise generator asked for strict JSON, but small models wrap it in prose, so the first JSON object
is extracted and anything malformed is dropped rather than trusted.
"""

from __future__ import annotations

import json
import re

import msgspec

__all__ = ["GeneratedExercise", "ParsedSolution", "extract_boxed", "parse_exercises", "parse_solution"]

MAX_STEPS = 50
_NUMBERED = re.compile(
    r"^\s*(?:(?:step|Step|STEP)\s*\d+\s*[:.：]?|第\s*[\d一二三四五六七八九十]+\s*步\s*[:：.、，,]?"
    r"|步骤\s*[\d一二三四五六七八九十]+\s*[:：.、]?|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*[:：.、]?"
    r"|[(（]\s*\d+\s*[)）]\s*[:：.、]?|\d+\s*(?:\.(?!\d)|[)、:：]))\s*"
)
_ANSWER_LINE = re.compile(
    r"^\s*(?:(?:所以|因此|故)?(?:最终答案|答案|原?方程的解|方程组的解|不等式的解集?)(?:是|为)?|答"
    r"|(?:so,?\s*|therefore,?\s*|thus,?\s*)?the\s+(?:final\s+)?(?:answer|solution)\s+is"
    r"|final answer|answer)\s*[:：]?\s*",
    re.IGNORECASE,
)


class ParsedSolution(msgspec.Struct, frozen=True):
    """``steps`` without their numbering; ``final_answer`` is the last ``\\boxed{}`` content."""

    steps: list[str]
    final_answer: str | None


class GeneratedExercise(msgspec.Struct, frozen=True):
    """One exercise as the model proposed it (not yet verified)."""

    stem: str
    answer: str
    steps: list[str] = msgspec.field(default_factory=list)


_BOX = "\\boxed{"


def _closing(text: str, open_at: int) -> int | None:
    """Index of the ``}`` closing the ``\\boxed{`` that starts at ``open_at``; None if unclosed."""
    depth = 0
    for j in range(open_at + len(_BOX) - 1, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return None


def extract_boxed(text: str) -> str | None:
    """Content of the last closed ``\\boxed{...}`` (nested braces balanced); None when there is none."""
    start = text.rfind(_BOX)
    while start != -1:
        end = _closing(text, start)
        if end is not None:
            return text[start + len(_BOX) : end].strip()
        start = text.rfind(_BOX, 0, start)
    return None


def _strip_answer(line: str) -> str:
    """A step line with ``\\boxed{..}`` wrappers removed, so ``x = \\boxed{2}`` stays checkable.

    A line that only announces the answer (``答案：\\boxed{2}``) is not a step: it becomes empty.
    """
    if _ANSWER_LINE.match(line) and extract_boxed(line) is not None:
        return ""
    out: list[str] = []
    i = 0
    while (start := line.find(_BOX, i)) != -1:
        end = _closing(line, start)
        if end is None:
            break
        out.append(line[i:start] + line[start + len(_BOX) : end])
        i = end + 1
    out.append(line[i:])
    return "".join(out)


def parse_solution(text: str) -> ParsedSolution:
    """Split on numbered lines (``1.``, ``1、``, ``Step 1:``, ``第1步``); unnumbered text uses lines."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")]
    numbered: list[str] = []
    plain: list[str] = []
    seen_number = False
    for line in lines:
        if not line.strip():
            continue
        match = _NUMBERED.match(line)
        if match:
            seen_number = True
            numbered.append(line[match.end() :].strip())
        elif seen_number and not _ANSWER_LINE.match(line):
            numbered[-1] = f"{numbered[-1]} {line.strip()}".strip()
        plain.append(line.strip())
    raw_steps = numbered if seen_number else plain
    steps = [s for s in (_strip_answer(step).strip() for step in raw_steps) if s][:MAX_STEPS]
    return ParsedSolution(steps=steps, final_answer=extract_boxed(text))


def _first_json_object(text: str) -> object | None:
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[{\[]", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        return value
    return None


def parse_exercises(text: str, limit: int) -> list[GeneratedExercise]:
    """Exercises from ``{"items": [...]}`` (or a bare list); malformed entries are skipped."""
    value = _first_json_object(text)
    if isinstance(value, dict):
        value = value.get("items")
    if not isinstance(value, list):
        return []
    out: list[GeneratedExercise] = []
    for entry in value:
        try:
            item = msgspec.convert(entry, GeneratedExercise)
        except msgspec.ValidationError:
            continue
        if item.stem.strip() and item.answer.strip():
            out.append(item)
        if len(out) >= limit:
            break
    return out
