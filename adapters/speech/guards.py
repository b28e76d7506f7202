"""Checks that keep whisper's invented text from reaching a learner as a confident question.

Whisper fails in recognisable ways on audio it cannot read (seen with the multilingual base model on
synthetic Mandarin): it loops (``三萬 三萬 三萬 …``, ``再次再次…``), recites digit chains
(``9-3-2-3-…``, ``3,2,3,4,3,2,3``), drifts into English words inside a Chinese transcript, or
repeats the prompt it was given. Each check below names one of
those failure modes; ``assess`` combines them with whisper's own signals (mean token log-probability,
gzip compression ratio) into a verdict. The thresholds are documented constants, not learned.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "GuardThresholds",
    "Verdict",
    "assess",
    "compression_ratio",
    "language_mismatch",
    "number_chain",
    "prompt_echo",
    "repetition",
]

Status = Literal["ok", "low_confidence", "rejected"]

# said in a row: a unit of 2-16 characters 3 times, one letter or character 4 times, a word 3 times
_UNIT_LOOP = re.compile(r"(.{2,16}?)\1{2,}")
_CHAR_LOOP = re.compile(r"([^\W\d_])\1{3,}")
_WORD_LOOP = re.compile(r"(?:^|\s)(\S+)(?:\s+\1){2,}(?=\s|$)")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
_CJK = re.compile(r"[\u3400-\u9fff]")
# what a learner may say in Latin letters inside a Chinese question
_MATH_WORDS = frozenset(
    {"sin", "cos", "tan", "cot", "sec", "csc", "log", "lim", "sqrt", "exp", "abs", "max", "min"}
)
# five or more numbers joined only by one kind of separator and no operator word: a digit chain
_NUMBER_CHAIN = re.compile(r"\d+(?:\s*([-,，、.·/])\s*\d+)(?:\s*\1\s*\d+){3,}")


@dataclass(frozen=True, slots=True)
class GuardThresholds:
    """``log_prob`` and ``compression_ratio`` are whisper's own fallback thresholds: a decode that is
    still past them after the last temperature is rejected. ``low_confidence_log_prob`` marks text that
    passed but that the model was unsure of (exp(-0.6) ≈ 0.55 per token)."""

    log_prob: float = -1.0
    compression_ratio: float = 2.4
    low_confidence_log_prob: float = -0.6
    prompt_overlap: float = 0.6


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    reasons: tuple[str, ...]


def compression_ratio(text: str) -> float:
    """Whisper's measure: UTF-8 length over zlib-compressed length (loops compress very well)."""
    data = text.encode("utf-8")
    if not data:
        return 0.0
    return len(data) / len(zlib.compress(data))


def repetition(text: str) -> str | None:
    """The repeated unit when ``text`` loops (spaces ignored), else None. Digit-only units are not
    loops (``1000000``), and neither is a unit said twice."""
    word = _WORD_LOOP.search(text)
    if word is not None and not word.group(1).isdigit():
        return word.group(1)
    squeezed = re.sub(r"\s+", "", text)
    for pattern in (_UNIT_LOOP, _CHAR_LOOP):
        for match in pattern.finditer(squeezed):
            unit = match.group(1)
            if any(ch.isalpha() for ch in unit):  # digit runs (1000000) and punctuation (...) are not loops
                return unit
    return None


def language_mismatch(text: str, language: str | None) -> bool:
    """English words in a Chinese transcript (other than function names), or Chinese in an English one:
    base whisper drifts into the other language when it cannot read the audio."""
    if language == "zh":
        return any(word.lower() not in _MATH_WORDS for word in _LATIN_WORD.findall(text))
    if language == "en":
        return _CJK.search(text) is not None
    return False


def number_chain(text: str) -> bool:
    """Five or more numbers joined only by one separator (``9-3-2-3-1``, ``3,2,3,4,3``)."""
    return _NUMBER_CHAIN.search(text) is not None


def _trigrams(text: str) -> set[tuple[str, ...]]:
    """Word trigrams of the Latin-script words and character trigrams of the Chinese text."""
    lowered = text.lower()
    words = re.findall(r"[a-z0-9]+", lowered)
    chars = [ch for ch in lowered if _CJK.match(ch) or ch.isdigit()]
    grams = {tuple(words[i : i + 3]) for i in range(len(words) - 2)}
    grams |= {tuple(chars[i : i + 3]) for i in range(len(chars) - 2)} if _CJK.search(lowered) else set()
    return grams


def prompt_echo(text: str, prompt: str | None, overlap: float = 0.6) -> bool:
    """Whether ``text`` is mostly the decoding prompt said back: most of its word (or, for Chinese,
    character) trigrams, at least three, occur in the prompt. Sharing vocabulary is not an echo
    (``x squared minus 7x`` against a prompt with ``y squared minus``); reciting it is."""
    if not prompt:
        return False
    grams = _trigrams(text)
    if len(grams) < 3:
        return False
    return len(grams & _trigrams(prompt)) / len(grams) >= overlap


def assess(
    text: str,
    avg_logprobs: Sequence[float],
    *,
    language: str | None = None,
    prompt: str | None = None,
    thresholds: GuardThresholds | None = None,
) -> Verdict:
    """``rejected`` (return nothing), ``low_confidence`` (show it, ask to check) or ``ok``."""
    limits = thresholds or GuardThresholds()
    if not text.strip():
        return Verdict("rejected", ("empty",))
    reasons: list[str] = []
    unit = repetition(text)
    if unit is not None:
        reasons.append("repetition")
    if compression_ratio(text) > limits.compression_ratio:
        reasons.append("compression_ratio")
    if number_chain(text):
        reasons.append("number_chain")
    if language_mismatch(text, language):
        reasons.append("language_mismatch")
    if prompt_echo(text, prompt, limits.prompt_overlap):
        reasons.append("prompt_echo")
    mean = sum(avg_logprobs) / len(avg_logprobs) if avg_logprobs else float("-inf")
    if mean < limits.log_prob:
        reasons.append("log_prob")
    if reasons:
        return Verdict("rejected", tuple(reasons))
    if mean < limits.low_confidence_log_prob:
        return Verdict("low_confidence", ("log_prob",))
    return Verdict("ok", ())
