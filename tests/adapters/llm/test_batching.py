"""The batcher's queueing rules, with a plain runner standing in for the model."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from adapters.llm.batching import DynamicBatcher
from tutor.errors import ServiceUnavailableError


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, batch: Sequence[str]) -> list[str]:
        self.gate.wait(5)
        self.batches.append(list(batch))
        return [s.upper() for s in batch]


@pytest.fixture
def executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1)


async def test_groups_by_key_and_respects_max_batch_size(executor: ThreadPoolExecutor) -> None:
    runner = Recorder()
    batcher = DynamicBatcher(runner, key=lambda s: s[0], executor=executor, max_batch_size=3, max_wait_s=0.05)
    words = ["a1", "b1", "a2", "a3", "a4", "b2"]
    results = await asyncio.gather(*(batcher.submit(w) for w in words))
    assert results == [w.upper() for w in words]
    assert sorted(map(sorted, runner.batches)) == [["a1", "a2", "a3"], ["a4"], ["b1", "b2"]]
    await batcher.close()


async def test_full_queue_is_503_with_retry_after(executor: ThreadPoolExecutor) -> None:
    runner = Recorder()
    runner.gate.clear()
    batcher = DynamicBatcher(
        runner, key=lambda s: s, executor=executor, max_batch_size=1, max_wait_s=0.0, max_queue=2
    )
    running = asyncio.ensure_future(batcher.submit("first"))
    await asyncio.sleep(0.05)  # the collector takes "first" and blocks in the runner
    waiting = [asyncio.ensure_future(batcher.submit(s)) for s in ("x", "y")]
    await asyncio.sleep(0)
    with pytest.raises(ServiceUnavailableError) as info:
        await batcher.submit("z")
    assert int(info.value.headers["Retry-After"]) >= 1
    runner.gate.set()
    assert await running == "FIRST"
    assert await asyncio.gather(*waiting) == ["X", "Y"]
    await batcher.close()


async def test_runner_errors_reach_every_caller_and_batcher_keeps_working(
    executor: ThreadPoolExecutor,
) -> None:
    def runner(batch: Sequence[str]) -> list[str]:
        if "boom" in batch:
            raise RuntimeError("model crashed")
        return list(batch)

    batcher = DynamicBatcher(runner, key=lambda s: 0, executor=executor, max_wait_s=0.02)
    outcomes = await asyncio.gather(batcher.submit("boom"), batcher.submit("ok"), return_exceptions=True)
    assert all(isinstance(o, RuntimeError) for o in outcomes)
    assert await batcher.submit("fine") == "fine"
    await batcher.close()


async def test_cancelled_caller_leaves_the_queue(executor: ThreadPoolExecutor) -> None:
    runner = Recorder()
    runner.gate.clear()
    batcher = DynamicBatcher(runner, key=lambda s: s, executor=executor, max_batch_size=1, max_wait_s=0.0)
    first = asyncio.ensure_future(batcher.submit("first"))
    await asyncio.sleep(0.05)
    gone = asyncio.ensure_future(batcher.submit("gone"))
    await asyncio.sleep(0)
    assert batcher.queued == 1
    gone.cancel()
    await asyncio.sleep(0)
    assert batcher.queued == 0
    runner.gate.set()
    await first
    assert ["gone"] not in runner.batches
    await batcher.close()
