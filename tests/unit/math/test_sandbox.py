"""The sandbox: a hung computation times out, its worker is replaced, and a full pool says 503."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import sympy

from tutor.errors import ServiceUnavailableError, UnprocessableError
from tutor.math.config import MathSettings
from tutor.math.grading import grade_answer_sync
from tutor.math.sandbox import MathSandbox, SandboxTimeout


@pytest.fixture(scope="module")
def sandbox() -> Iterator[MathSandbox]:
    box = MathSandbox(MathSettings(workers=1, timeout_s=1.5, queue_wait_s=0.2))
    yield box
    box.shutdown()


def test_timeout_kills_and_replaces_the_worker(sandbox: MathSandbox) -> None:
    assert sandbox.call(grade_answer_sync, "5", "number", "x = 5").correct
    start = time.perf_counter()
    with pytest.raises(SandboxTimeout) as info:
        sandbox.call(sympy.factorial, 10**8)  # minutes of work: only the deadline stops it
    assert info.value.status_code == 422 and "longer than" in info.value.message
    assert time.perf_counter() - start < 10
    assert sandbox.call(
        grade_answer_sync, "x=2, x=3", "equation", "x=3 或 x=2"
    ).correct  # the replacement works


def test_errors_cross_the_process_boundary(sandbox: MathSandbox) -> None:
    with pytest.raises(UnprocessableError, match="Unknown answer kind"):
        sandbox.call(grade_answer_sync, "5", "nope", "5")


def test_full_pool_answers_503_with_retry_after(sandbox: MathSandbox) -> None:
    errors: list[BaseException] = []

    def hog() -> None:
        try:
            sandbox.call(sympy.factorial, 10**8)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=hog)
    thread.start()
    time.sleep(0.3)
    with pytest.raises(ServiceUnavailableError) as info:
        sandbox.call(grade_answer_sync, "5", "number", "5")
    assert info.value.status_code == 503 and info.value.headers["Retry-After"]
    thread.join()
    assert isinstance(errors[0], SandboxTimeout)
