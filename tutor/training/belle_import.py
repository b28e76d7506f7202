"""Import BELLE's ``school_math_0.25M`` JSON lines into the served training format.

BELLE's lines are ``{"instruction", "input", "output"}``: a Chinese word problem and a worked solution
in prose, usually ending in ``答案：...``. The service asks for, and checks, numbered steps with one
reason each and a last line ``答案：\\boxed{...}`` after the served solution prompt; a LoRA trained on
BELLE's raw text would never pass that check. Each line becomes: the served instruction around the
problem; the solution's lines (sentences when it is one paragraph), renumbered; the final answer
boxed. Lines with no final answer to box are skipped and counted, never guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from adapters.training.dataset import BelleExample, DatasetLimits, load_jsonl
from tutor.training.serving_format import serving_instruction

__all__ = ["ImportReport", "convert_belle_example", "import_school_math"]

MAX_STEPS = 12
_PROBLEM_LABEL = re.compile(r"^\s*(?:题目|问题|Problem)\s*[:：]\s*", re.IGNORECASE)
_NUMBERING = re.compile(
    r"^\s*(?:\d{1,2}\s*[.、)）:：]|第[一二三四五六七八九十\d]+步\s*[:：,，]?|step\s*\d+\s*[:.]?)\s*", re.I
)
_ANSWER = re.compile(r"^\s*(?:最终答案|答案|答|Answer)\s*(?:是|为)?\s*[:：]?\s*(.+?)\s*[。.]?\s*$", re.I)
_SENTENCE = re.compile(r"(?<=[。！？；])")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:/\d+)?")
_CONCLUDES = re.compile(r"所以|因此|综上|therefore|so\b|thus", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class ImportReport:
    """Converted examples and why the others were skipped (reason -> count)."""

    examples: list[BelleExample] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    read: int = 0


def _answer(lines: list[str]) -> tuple[str | None, list[str]]:
    """The final answer and the remaining step lines; the answer line is the last one that says so."""
    for index in range(len(lines) - 1, -1, -1):
        match = _ANSWER.match(lines[index])
        if match:
            return match.group(1).strip(), lines[:index] + lines[index + 1 :]
    # no answer line: a concluding sentence ("所以……180千米。") still names it; anything else is skipped
    if not lines or not _CONCLUDES.search(lines[-1]):
        return None, lines
    numbers = _NUMBER.findall(lines[-1])
    return (numbers[-1] if numbers else None), lines


def _steps(output: str) -> list[str]:
    lines = [ln.strip() for ln in output.replace("\r\n", "\n").split("\n") if ln.strip()]
    if len(lines) == 1:
        lines = [s.strip() for s in _SENTENCE.split(lines[0]) if s.strip()]
    return [_NUMBERING.sub("", ln).strip() for ln in lines]


def convert_belle_example(example: BelleExample) -> BelleExample | str:
    """The served-format example, or the reason it cannot be converted."""
    problem = _PROBLEM_LABEL.sub("", example.instruction).strip()
    if example.input.strip():
        problem = f"{problem}\n{example.input.strip()}"
    if not problem:
        return "empty problem"
    lines = _steps(example.output)
    answer, steps = _answer(lines)
    if not answer:
        return "no final answer"
    if "\\boxed" in answer:
        answer = re.sub(r"^\\boxed\{(.*)\}$", r"\1", answer)
    steps = [s for s in steps if s] or [f"{answer}"]
    if len(steps) > MAX_STEPS:
        return "too many steps"
    lang = "zh" if _CJK.search(problem) else "en"
    marker = "答案：" if lang == "zh" else "Answer: "
    body = "\n".join(f"{i}. {step}" for i, step in enumerate(steps, start=1))
    return BelleExample(
        instruction=serving_instruction(problem, lang), output=f"{body}\n{marker}\\boxed{{{answer}}}"
    )


def import_school_math(source: bytes | IO[bytes], limits: DatasetLimits | None = None) -> ImportReport:
    """Read and convert a ``school_math_0.25M``-style file (bounded and validated by ``load_jsonl``)."""
    report = ImportReport()
    for example in load_jsonl(source, limits):
        report.read += 1
        converted = convert_belle_example(example)
        if isinstance(converted, str):
            report.skipped[converted] += 1
        else:
            report.examples.append(converted)
    return report
