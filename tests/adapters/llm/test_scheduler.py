"""Batching that does not block: requests join and leave between decoding slices (tiny real LLaMA)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.llm.config import LLMConfig
from adapters.llm.local import LocalEngine
from adapters.llm.params import GenerationParams
from adapters.llm.prompting import render
from adapters.llm.schemas import GenerationRequest
from tutor.errors import ServiceUnavailableError

PROMPT = render("solution", "en", problem="2x+3=7").text
LONG = GenerationParams(max_new_tokens=600, min_new_tokens=600)
SHORT = GenerationParams(max_new_tokens=16, min_new_tokens=16)


@pytest.fixture
async def engine(tiny_llama: tuple[Path, Path]) -> AsyncIterator[LocalEngine]:
    model_dir, adapter_dir = tiny_llama
    config = LLMConfig(
        engine="local",
        model=str(model_dir),
        adapter_dir=adapter_dir,
        adapters=("math", "hint"),
        slice_tokens=8,
    )
    engine = LocalEngine(config)
    await engine.load()
    yield engine
    await engine.close()


async def _timed(engine: LocalEngine, params: GenerationParams, adapter: str | None = None) -> float:
    [result] = await engine.generate([GenerationRequest(prompt=PROMPT, params=params, adapter=adapter)])
    assert result.generated_tokens == params.max_new_tokens
    return time.perf_counter()


async def test_a_short_request_is_not_stuck_behind_a_long_one(engine: LocalEngine) -> None:
    start = time.perf_counter()
    long = asyncio.create_task(_timed(engine, LONG))
    await asyncio.sleep(0.3)  # the long one is decoding
    short_started = time.perf_counter()
    short_done = await _timed(engine, SHORT)
    long_done = await long
    assert short_done < long_done
    # the short request needed about 2 slices, not the rest of the long one
    assert short_done - short_started < 0.5 * (long_done - start)


async def test_a_cancelled_request_stops_consuming_steps(engine: LocalEngine) -> None:
    task = asyncio.create_task(_timed(engine, GenerationParams(max_new_tokens=2000, min_new_tokens=2000)))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(200):  # at most the slice in flight finishes, then the row is gone
        if engine._scheduler.queued == 0:
            break
        await asyncio.sleep(0.05)
    calls = engine.stats.generate_calls
    await asyncio.sleep(0.5)
    assert engine.stats.generate_calls == calls and engine._scheduler.queued == 0
    assert calls < 2000 / 8  # far fewer slices than the full request would have taken


async def test_streams_share_slices_with_other_requests(engine: LocalEngine) -> None:
    before = engine.stats.generate_calls
    params = GenerationParams(max_new_tokens=8)

    async def streamed() -> str:
        return "".join([p async for p in engine.stream(GenerationRequest(prompt=PROMPT, params=params))])

    a, b, [c] = await asyncio.gather(
        streamed(), streamed(), engine.generate([GenerationRequest(prompt=PROMPT, params=params)])
    )
    assert engine.stats.generate_calls == before + 1  # one slice of 8 steps served all three
    assert a.strip() == b.strip() == c.text


async def test_a_request_that_waits_past_its_queue_deadline_gets_a_503(tiny_llama: tuple[Path, Path]) -> None:
    model_dir, adapter_dir = tiny_llama
    config = LLMConfig(
        engine="local",
        model=str(model_dir),
        adapter_dir=adapter_dir,
        adapters=("math", "hint"),
        slice_tokens=600,
        queue_timeout_s=0.2,
    )
    engine = LocalEngine(config)
    try:
        await engine.load()
        long = asyncio.create_task(_timed(engine, LONG))
        await asyncio.sleep(0.1)
        with pytest.raises(ServiceUnavailableError, match="waited too long"):
            await engine.generate([GenerationRequest(prompt=PROMPT, params=SHORT, adapter="hint")])
        await long
    finally:
        await engine.close()


async def test_slices_reuse_the_kv_cache_and_match_one_unsliced_generate(engine: LocalEngine) -> None:
    params = GenerationParams(max_new_tokens=40, min_new_tokens=40)
    request = GenerationRequest(prompt=PROMPT, params=params)
    reused = engine._slice_cache.reused
    [sliced] = await engine.generate([request])  # 5 slices of 8 steps
    assert engine._slice_cache.reused >= reused + 4  # every slice after the first continued the cache
    whole = await engine._batcher.submit(request)  # one generate for all 40 tokens
    assert sliced.text == whole.text and sliced.generated_tokens == whole.generated_tokens == 40


async def test_a_padded_batch_continued_from_the_cache_matches_each_request_alone(
    engine: LocalEngine,
) -> None:
    params = GenerationParams(max_new_tokens=24, min_new_tokens=24)
    prompts = [render("solution", "en", problem=p).text for p in ("x = 1", "3x - 5 = 10", "12x + 7 = 4x - 9")]
    reused = engine._slice_cache.reused
    batched = await engine.generate([GenerationRequest(prompt=p, params=params) for p in prompts])
    assert engine._slice_cache.reused >= reused + 2
    for prompt, result in zip(prompts, batched, strict=True):
        alone = await engine._batcher.submit(GenerationRequest(prompt=prompt, params=params))
        assert result.text == alone.text
