"""Grade the simplest answers in process, without the sandbox: whole numbers and ``x = <whole number>``.

Why: in a class most answers to a numeric item are a plain integer, and sending each through a
worker process (IPC plus a full LaTeX/SymPy parse, ~20 ms) made the sandbox the bottleneck of
``POST /v1/attempts``. Inputs accepted here are bounded by construction (a short regular expression:
at most 64 characters, 12 digits, no exponent, no nesting), so they cost microseconds and cannot
stall the event loop; everything else returns ``None`` and goes to the sandbox. The results are the
sandbox's own results for the same input (``tests/unit/math/test_fast_grade.py`` checks that).
"""

from __future__ import annotations

import re

from tutor.math.grading import GradeResult, result_for

__all__ = ["MAX_FAST_CHARS", "fast_grade"]

MAX_FAST_CHARS = 64
_INT = r"-?(?:0|[1-9]\d{0,11})"  # canonical whole numbers only: no leading zeros or plus sign
_INT_RE = re.compile(_INT)
_EQ_RE = re.compile(rf"([a-z])\s*=\s*({_INT})")
_NUMBER_TASKS = frozenset({None, "calculate", "evaluate"})
_EQUATION_TASKS = frozenset({None, "solve"})


def _int(text: str) -> int | None:
    return int(text) if _INT_RE.fullmatch(text) else None


def fast_grade(expected: str, answer_kind: str, submitted: str, task: str | None) -> GradeResult | None:
    """The grade when both answers are plain whole numbers (or ``x = n``); ``None`` otherwise."""
    if len(submitted) > MAX_FAST_CHARS or len(expected) > MAX_FAST_CHARS:
        return None
    got_text, want_text = submitted.strip(), expected.strip()
    if answer_kind == "number" and task in _NUMBER_TASKS:
        want, got = _int(want_text), _int(got_text)
        if want is None or got is None:
            return None
        return result_for("correct" if got == want else "wrong_value", str(got))
    if answer_kind == "equation" and task in _EQUATION_TASKS:
        want_eq = _EQ_RE.fullmatch(want_text)
        if want_eq is None:
            return None
        variable, want = want_eq.group(1), int(want_eq.group(2))
        got_eq = _EQ_RE.fullmatch(got_text)
        if got_eq is not None and got_eq.group(1) == variable:
            value: int | None = int(got_eq.group(2))
        else:
            value = _int(got_text) if got_eq is None else None
        if value is None:
            return None
        return result_for("correct" if value == want else "wrong_value", f"{variable} = {value}")
    return None
