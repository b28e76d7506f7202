"""The inference pool bounds concurrent model calls: timeouts and back-pressure are 503s, not pile-ups."""

from __future__ import annotations

import asyncio
import threading

import pytest

from adapters.inference_pool import InferencePool, PoolConfig
from tutor.errors import ServiceUnavailableError


async def test_runs_a_call_and_returns_its_result() -> None:
    pool = InferencePool(PoolConfig(workers=1, queue=0, timeout_s=5))
    assert await pool.run(sum, [1, 2, 3]) == 6
    assert pool.pending == 0
    pool.shutdown()


async def test_full_pool_answers_503_with_retry_after() -> None:
    pool = InferencePool(PoolConfig(workers=1, queue=1, timeout_s=5), name="speech")
    release = threading.Event()
    running = [asyncio.ensure_future(pool.run(release.wait, 5)) for _ in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(ServiceUnavailableError) as info:
        await pool.run(sum, [1])
    assert "busy" in info.value.message
    assert int(info.value.headers["Retry-After"]) >= 1
    release.set()
    assert await asyncio.gather(*running) == [True, True]
    assert await pool.run(sum, [1]) == 1  # capacity is back once the calls finished
    pool.shutdown()


async def test_timeout_is_503_and_the_slot_is_held_until_the_call_ends() -> None:
    pool = InferencePool(PoolConfig(workers=1, queue=0, timeout_s=0.05))
    release = threading.Event()
    with pytest.raises(ServiceUnavailableError) as info:
        await pool.run(release.wait, 5)
    assert "longer than" in info.value.message
    assert pool.pending == 1  # the thread is still busy: do not admit more work than can run
    release.set()
    for _ in range(100):
        if pool.pending == 0:
            break
        await asyncio.sleep(0.01)
    assert pool.pending == 0
    pool.shutdown()


async def test_errors_propagate_and_free_the_slot() -> None:
    pool = InferencePool(PoolConfig(workers=1, queue=0, timeout_s=5))

    def boom() -> None:
        raise RuntimeError("model exploded")

    with pytest.raises(RuntimeError, match="exploded"):
        await pool.run(boom)
    assert pool.pending == 0
    pool.shutdown()


def test_config_from_env_and_validation() -> None:
    config = PoolConfig.from_env({"TUTOR_INFERENCE_WORKERS": "2", "TUTOR_INFERENCE_TIMEOUT_S": "3.5"})
    assert (config.workers, config.queue, config.timeout_s) == (2, 4, 3.5)
    with pytest.raises(ValueError):
        PoolConfig(workers=0)
