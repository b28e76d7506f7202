"""Grade a learner's answer against the item's expected answer, by value *and* by the item's task.

The attempts service calls :func:`grade_answer`; it runs :func:`grade_answer_sync` in the sandbox so
a hostile answer cannot stall the API. An answer the engine cannot read is simply wrong (the reason
says so); only an over-long one is refused as unprocessable.

With a ``task`` (every bank item states one: solve, calculate, expand, factor, simplify, reduce ...)
the value is not enough: the answer must be in answer form for that task, so pasting the question
back (``x - 7 = 12`` for "solve x - 7 = 12", ``7/5 + 3/2`` for "calculate 7/5 + 3/2") or handing in
an unexpanded product for "expand" is never correct. Every reason comes in English (``reason``)
and Chinese (``reason_zh``), with a stable ``code`` a frontend can switch on.
"""

from __future__ import annotations

import functools

import msgspec
import sympy

from tutor.errors import UnprocessableError
from tutor.math.answers import (
    ANSWER_KINDS,
    KindMismatch,
    format_value,
    infer_kind,
    read_answer,
    values_equal,
)
from tutor.math.extraction import extract_answer
from tutor.math.forms import form_problem, is_factored_form, normalize_task
from tutor.math.parsing import MAX_INPUT_CHARS, parse_math
from tutor.math.spoken import read_prose

__all__ = [
    "REASONS",
    "GradeResult",
    "check_answer_sync",
    "grade_answer",
    "grade_answer_sync",
    "question_task",
    "result_for",
]

# code -> (English, Chinese)
REASONS: dict[str, tuple[str, str]] = {
    "correct": ("The answer is correct.", "答案正确。"),
    "empty": ("The answer is empty.", "答案为空。"),
    "unreadable": ("The answer could not be read as math.", "无法把答案读成数学式。"),
    "wrong_kind": ("The answer is not of the expected kind", "答案的类型不对"),
    "wrong_value": ("The answer is not equal to the expected answer.", "答案不正确。"),
    "incomparable": ("The answer could not be compared with the expected answer.", "无法与标准答案比较。"),
    "echo": (
        "That is the question itself, not its answer: work it out.",
        "这是题目本身，不是答案，请算出结果。",
    ),
    "unsolved": (
        "The value checks, but the answer is not solved yet: write it as x = ... (or x > ...).",
        "还没有解出来：请写成 x = …（或 x > …）的形式。",
    ),
    "unfinished": (
        "The value is right, but the calculation is not finished: give the final number.",
        "结果还没有算完：请写出最后结果。",
    ),
    "not_lowest": (
        "The value is right, but the fraction is not in lowest terms.",
        "数值对，但分数还没有约成最简分数。",
    ),
    "not_fraction": (
        "The value is right, but the answer must be a fraction in lowest terms.",
        "数值对，但答案要写成最简分数。",
    ),
    "not_expanded": (
        "The value is right, but the answer must be expanded: no brackets, like terms combined.",
        "数值对，但还要去括号并合并同类项。",
    ),
    "not_factored": (
        "The value is right, but the answer must be written in factored form, every factor as far "
        "as it goes.",
        "数值对，但要写成因式分解的形式，并且每个因式都不能再分解。",
    ),
    "not_simplified": (
        "The value is right, but the answer is not simplified: combine like terms and cancel common factors.",
        "数值对，但还没有化到最简：要合并同类项、约去公因式。",
    ),
}
_KIND_ZH = {
    "number": "一个数",
    "expression": "一个代数式",
    "equation": "方程的解（如 x = 3）",
    "inequality": "不等式的解集（如 x > 3）",
    "pair": "方程组的解（如 x = 1, y = 2）",
    "set": "一个集合",
}


class GradeResult(msgspec.Struct, frozen=True):
    """Outcome of grading one answer; ``normalized_submitted`` is the canonical form we read.

    ``reason`` is English (as before), ``reason_zh`` Chinese; ``code`` names the reason.
    """

    correct: bool
    reason: str
    normalized_submitted: str | None = None
    reason_zh: str = ""
    code: str = ""

    def reason_in(self, language: str | None) -> str:
        return self.reason_zh if language == "zh" and self.reason_zh else self.reason


def _result(code: str, normalized: str | None = None, en_extra: str = "", zh_extra: str = "") -> GradeResult:
    en, zh = REASONS[code]
    return GradeResult(
        code == "correct",
        f"{en} {en_extra}".strip(),
        normalized,
        f"{zh}{zh_extra}".strip(),
        code,
    )


def result_for(code: str, normalized: str | None = None) -> GradeResult:
    """The result for a reason code (used by the in-process fast path, ``tutor.math.fast_grade``)."""
    return _result(code, normalized)


def _check_lengths(expected: str, submitted: str, question: str | None = None) -> None:
    if len(submitted) > MAX_INPUT_CHARS:
        raise UnprocessableError(
            f"The answer is too long ({len(submitted)} characters, limit {MAX_INPUT_CHARS}).",
            field="submitted",
            detail_zh=f"答案太长（{len(submitted)} 个字符，上限 {MAX_INPUT_CHARS}）。",
        )
    if len(expected) > MAX_INPUT_CHARS:
        raise UnprocessableError(
            "The expected answer is too long.", field="expected", detail_zh="标准答案太长。"
        )
    if question is not None and len(question) > MAX_INPUT_CHARS:
        raise UnprocessableError("The question is too long.", field="question", detail_zh="题目太长。")


def question_task(question: str) -> tuple[str | None, str | None]:
    """The task a question states (化简 / Solve / 计算 ...) and its math, when it can be read."""
    try:
        reading = read_prose(question)
    except UnprocessableError:
        return None, None
    task = reading.task
    if task is None and reading.math:
        try:
            items = parse_math(reading.math).items
        except UnprocessableError:
            return None, reading.math
        if any(isinstance(i, sympy.Rel | sympy.And) for i in items):
            task = "solve"
        elif all(isinstance(i, sympy.Expr) and not i.free_symbols for i in items):
            task = "calculate"
    return normalize_task(task) if task else None, reading.math


def _echoes(candidate: str, question_math: str | None) -> bool:
    if not question_math:
        return False
    if candidate.replace(" ", "") == question_math.replace(" ", ""):
        return True
    try:
        a = parse_math(candidate, evaluate=False).items
        b = parse_math(question_math, evaluate=False).items
    except UnprocessableError:
        return False
    return a == b


def grade_answer_sync(
    expected: str,
    answer_kind: str,
    submitted: str,
    *,
    task: str | None = None,
    question: str | None = None,
) -> GradeResult:
    """Decide whether ``submitted`` (free text allowed) answers the item.

    ``task`` (solve, calculate, evaluate, expand, factor, simplify, reduce, derivative) adds the form
    check; without it, it is read from ``question`` when one is given; without either, only the value
    is graded (and a factored expected answer asks for a factored one).
    """
    _check_lengths(expected, submitted, question)
    if answer_kind not in ANSWER_KINDS:
        raise UnprocessableError(
            f"Unknown answer kind '{answer_kind}'; use one of {', '.join(ANSWER_KINDS)}.",
            field="answer_kind",
            detail_zh=f"未知的答案类型“{answer_kind}”。",
        )
    task = normalize_task(task)
    question_math = None
    if question is not None:
        asked, question_math = question_task(question)
        task = task or asked
    try:
        want = read_answer(extract_answer(expected), answer_kind)
    except (UnprocessableError, KindMismatch) as exc:
        raise UnprocessableError(
            f"The expected answer cannot be read: {exc}", field="expected", detail_zh="无法读取标准答案。"
        ) from None
    if not submitted.strip():
        return _result("empty")
    candidate = extract_answer(submitted)
    try:
        got = read_answer(candidate, answer_kind)
    except UnprocessableError as exc:
        return _result("unreadable", en_extra=exc.message, zh_extra=str(exc.extra.get("detail_zh", "")))
    except KindMismatch as exc:
        return _result(
            "wrong_kind",
            en_extra=f"({answer_kind}): {exc}.",
            zh_extra=f"：应为{_KIND_ZH[answer_kind]}。",
        )
    try:
        normalized = format_value(got)
        equal = values_equal(want, got)
    except (TypeError, ValueError, AttributeError, ArithmeticError):
        return _result("incomparable")
    if not equal:
        return _result("wrong_value", normalized)
    if task is not None:
        if _echoes(candidate, question_math) and form_problem(
            task, answer_kind, candidate, got.value, expected
        ):
            return _result("echo", normalized)
        problem = form_problem(task, answer_kind, candidate, got.value, extract_answer(expected))
        if problem is not None:
            return _result(problem, normalized)
    elif (
        answer_kind == "expression"
        and is_factored_form(extract_answer(expected))
        and not is_factored_form(candidate)
    ):
        return _result("not_factored", normalized)
    return _result("correct", normalized)


def check_answer_sync(
    expected: str,
    submitted: str,
    answer_kind: str | None,
    task: str | None = None,
    question: str | None = None,
) -> tuple[str, GradeResult]:
    """Like :func:`grade_answer_sync`, inferring the kind from ``expected`` when none is given."""
    _check_lengths(expected, submitted, question)
    if answer_kind is None:
        try:
            answer_kind = infer_kind(extract_answer(expected))
        except UnprocessableError as exc:
            raise UnprocessableError(
                f"The expected answer cannot be read: {exc.message}",
                field="expected",
                detail_zh="无法读取标准答案。",
            ) from None
    return answer_kind, grade_answer_sync(expected, answer_kind, submitted, task=task, question=question)


async def grade_answer(
    expected: str,
    answer_kind: str,
    submitted: str,
    *,
    task: str | None = None,
    question: str | None = None,
) -> GradeResult:
    """Sandboxed :func:`grade_answer_sync`: bounded time and memory, runs off the event loop.

    Plain whole-number answers are graded in process first (``tutor.math.fast_grade``: bounded by
    construction, same result); only the rest pays for a worker."""
    _check_lengths(expected, submitted, question)
    from tutor.math.fast_grade import fast_grade
    from tutor.math.sandbox import run_sandboxed

    fast = fast_grade(expected, answer_kind, submitted, task)
    if fast is not None:
        return fast
    return await run_sandboxed(_grade_positional, expected, answer_kind, submitted, task, question)


@functools.lru_cache(maxsize=4096)
def _grade_positional(
    expected: str, answer_kind: str, submitted: str, task: str | None, question: str | None
) -> GradeResult:
    """Positional form for the sandbox (its calls take positional arguments only).

    Cached per worker: grading is a pure function of its arguments, and a class answering one item
    sends the same few answers again and again."""
    return grade_answer_sync(expected, answer_kind, submitted, task=task, question=question)
