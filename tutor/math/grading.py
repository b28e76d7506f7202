"""Grade a learner's answer against the item's expected answer.

The attempts service calls :func:`grade_answer`; it runs :func:`grade_answer_sync` in the sandbox so
a hostile answer cannot stall the API. An answer the engine cannot read is simply wrong (the reason
says so); only an over-long one is refused as unprocessable.
"""

from __future__ import annotations

import msgspec

from tutor.errors import UnprocessableError
from tutor.math.answers import (
    ANSWER_KINDS,
    KindMismatch,
    format_value,
    infer_kind,
    is_factored_form,
    read_answer,
    values_equal,
)
from tutor.math.extraction import extract_answer
from tutor.math.parsing import MAX_INPUT_CHARS

__all__ = ["GradeResult", "check_answer_sync", "grade_answer", "grade_answer_sync"]


class GradeResult(msgspec.Struct, frozen=True):
    """Outcome of grading one answer; ``normalized_submitted`` is the canonical form we read."""

    correct: bool
    reason: str
    normalized_submitted: str | None = None


def _check_lengths(expected: str, submitted: str) -> None:
    if len(submitted) > MAX_INPUT_CHARS:
        raise UnprocessableError(
            f"The answer is too long ({len(submitted)} characters, limit {MAX_INPUT_CHARS}).",
            field="submitted",
        )
    if len(expected) > MAX_INPUT_CHARS:
        raise UnprocessableError("The expected answer is too long.", field="expected")


def grade_answer_sync(expected: str, answer_kind: str, submitted: str) -> GradeResult:
    """Decide whether ``submitted`` (free text allowed) equals ``expected`` as a value of ``answer_kind``."""
    _check_lengths(expected, submitted)
    if answer_kind not in ANSWER_KINDS:
        raise UnprocessableError(
            f"Unknown answer kind '{answer_kind}'; use one of {', '.join(ANSWER_KINDS)}.", field="answer_kind"
        )
    try:
        want = read_answer(extract_answer(expected), answer_kind)
    except (UnprocessableError, KindMismatch) as exc:
        raise UnprocessableError(f"The expected answer cannot be read: {exc}", field="expected") from None
    if not submitted.strip():
        return GradeResult(False, "The answer is empty.")
    candidate = extract_answer(submitted)
    try:
        got = read_answer(candidate, answer_kind)
    except UnprocessableError as exc:
        return GradeResult(False, f"The answer could not be read as math. {exc.message}")
    except KindMismatch as exc:
        return GradeResult(False, f"The answer is not of the expected kind ({answer_kind}): {exc}.")
    try:
        normalized = format_value(got)
        equal = values_equal(want, got)
    except (TypeError, ValueError, AttributeError, ArithmeticError):
        return GradeResult(False, "The answer could not be compared with the expected answer.")
    if not equal:
        return GradeResult(False, "The answer is not equal to the expected answer.", normalized)
    if (
        answer_kind == "expression"
        and is_factored_form(extract_answer(expected))
        and not is_factored_form(candidate)
    ):
        return GradeResult(
            False, "The value is right, but the answer must be written in factored form.", normalized
        )
    return GradeResult(True, "The answer is correct.", normalized)


def check_answer_sync(expected: str, submitted: str, answer_kind: str | None) -> tuple[str, GradeResult]:
    """Like :func:`grade_answer_sync`, inferring the kind from ``expected`` when none is given."""
    _check_lengths(expected, submitted)
    if answer_kind is None:
        try:
            answer_kind = infer_kind(extract_answer(expected))
        except UnprocessableError as exc:
            raise UnprocessableError(
                f"The expected answer cannot be read: {exc.message}", field="expected"
            ) from None
    return answer_kind, grade_answer_sync(expected, answer_kind, submitted)


async def grade_answer(expected: str, answer_kind: str, submitted: str) -> GradeResult:
    """Sandboxed :func:`grade_answer_sync`: bounded time and memory, runs off the event loop."""
    _check_lengths(expected, submitted)
    from tutor.math.sandbox import run_sandboxed

    return await run_sandboxed(grade_answer_sync, expected, answer_kind, submitted)
