"""Per-account math budget and bounded queue: one account burning worker time cannot starve the others."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import sympy

from tutor.errors import ServiceUnavailableError, TooManyRequestsError
from tutor.math.config import MathSettings
from tutor.math.grading import grade_answer_sync
from tutor.math.sandbox import MathSandbox, SandboxTimeout


@pytest.fixture(scope="module")
def sandbox() -> Iterator[MathSandbox]:
    box = MathSandbox(
        MathSettings(workers=2, timeout_s=0.8, account_budget_s=1.0, account_window_s=30, max_waiting=2)
    )
    box.call(grade_answer_sync, "5", "number", "5")  # start the workers outside the timings
    yield box
    box.shutdown()


async def test_a_hostile_account_is_refused_while_another_is_served(sandbox: MathSandbox) -> None:
    for _ in range(2):  # each hostile call runs to the deadline: 2 x 0.8 s > the 1 s budget
        with pytest.raises(SandboxTimeout):
            await sandbox.run(sympy.factorial, 10**8, account="mallory")
    with pytest.raises(TooManyRequestsError) as refused:
        await sandbox.run(sympy.factorial, 10**8, account="mallory")
    assert int(refused.value.headers["Retry-After"]) >= 1
    result = await sandbox.run(grade_answer_sync, "x = 5", "equation", "x=5", account="alice")
    assert result.correct


async def test_one_account_has_few_calls_in_flight(sandbox: MathSandbox) -> None:
    calls = [sandbox.run(sympy.factorial, 10**8, account="bob") for _ in range(3)]
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    assert sum(isinstance(o, TooManyRequestsError) for o in outcomes) == 1
    assert sum(isinstance(o, SandboxTimeout) for o in outcomes) == 2


async def test_past_the_bounded_queue_callers_get_503_at_once(sandbox: MathSandbox) -> None:
    # 2 workers + 2 waiting places: a fifth caller (other accounts) is refused without waiting
    hogs = [sandbox.run(sympy.factorial, 10**8, account=f"hog{n}") for n in range(4)]
    tasks = [asyncio.ensure_future(h) for h in hogs]
    await asyncio.sleep(0.2)
    with pytest.raises(ServiceUnavailableError) as busy:
        await sandbox.run(grade_answer_sync, "5", "number", "5", account="late")
    assert busy.value.headers["Retry-After"]
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(o, SandboxTimeout) for o in outcomes)


async def test_warming_while_calls_arrive_never_mixes_up_replies() -> None:
    box = MathSandbox(MathSettings(workers=2, timeout_s=20))
    try:
        warming = asyncio.get_running_loop().run_in_executor(None, box.warm)
        results = await asyncio.gather(
            *(box.run(grade_answer_sync, "x = 5", "equation", f"x = {n}", account=f"a{n}") for n in range(4))
        )
        await warming
        assert not any(r.correct for r in results)  # x = 0..3 against x = 5
        assert [r.normalized_submitted for r in results] == [f"x = {n}" for n in range(4)]
    finally:
        box.shutdown()
