"""The local engine through the real from_pretrained / PeftModel.from_pretrained path."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.llm.config import LLMConfig
from adapters.llm.local import LocalEngine
from adapters.llm.params import GenerationParams
from adapters.llm.prompting import render
from adapters.llm.protocol import LLMEngine
from adapters.llm.schemas import GenerationRequest
from tutor.errors import ServiceUnavailableError, UnprocessableError


def local_config(model_dir: Path, adapter_dir: Path, **overrides: object) -> LLMConfig:
    base: dict[str, object] = {"engine": "local", "model": str(model_dir), "adapter_dir": adapter_dir}
    return LLMConfig(**(base | overrides))  # type: ignore[arg-type]


PROMPT = render("solution", "zh", problem="2x+3=7").text
SHORT = GenerationParams(max_new_tokens=12)


async def test_llama_loads_with_two_adapters_math_first(llama_engine: LocalEngine) -> None:
    assert isinstance(llama_engine, LLMEngine)
    health = llama_engine.health()
    assert health.status == "ok" and health.device == "cpu" and health.dtype == "float32"
    assert health.adapters == ["math@v1", "hint@v1"]
    [result] = await llama_engine.generate([GenerationRequest(prompt=PROMPT, params=SHORT)])
    assert result.adapter is not None and result.adapter.key == "math@v1"
    assert result.generated_tokens == 12 and result.finish_reason == "length"
    assert result.prompt_tokens == llama_engine.count_tokens(PROMPT)


async def test_adapter_is_chosen_per_request(llama_engine: LocalEngine) -> None:
    math, hint, base = await llama_engine.generate(
        [
            GenerationRequest(prompt=PROMPT, params=SHORT, adapter="math"),
            GenerationRequest(prompt=PROMPT, params=SHORT, adapter="hint@v1"),
            GenerationRequest(prompt=PROMPT, params=SHORT, adapter=""),
        ]
    )
    assert hint.adapter is not None and hint.adapter.name == "hint"
    assert base.adapter is None
    assert len({math.text, hint.text, base.text}) == 3  # each LoRA really changes the model
    [again] = await llama_engine.generate([GenerationRequest(prompt=PROMPT, params=SHORT)])
    assert again.text == math.text  # greedy + switching back to the math LoRA is deterministic


async def test_unknown_adapter_and_long_prompt_are_422(llama_engine: LocalEngine) -> None:
    with pytest.raises(UnprocessableError, match="Unknown adapter 'geometry'"):
        await llama_engine.generate([GenerationRequest(prompt=PROMPT, adapter="geometry")])
    with pytest.raises(UnprocessableError, match="too long"):
        await llama_engine.generate([GenerationRequest(prompt="1+1=2 " * 3000)])


async def test_concurrent_requests_share_one_generate_call(llama_engine: LocalEngine) -> None:
    before = llama_engine.stats.generate_calls
    prompts = [render("solution", "en", problem=f"{i}x + 1 = {i + 2}").text for i in range(6)]
    results = await asyncio.gather(
        *(llama_engine.generate([GenerationRequest(prompt=p, params=SHORT)]) for p in prompts)
    )
    assert llama_engine.stats.generate_calls == before + 1
    # left padding: each batched answer equals the same prompt generated alone
    [alone] = await llama_engine.generate([GenerationRequest(prompt=prompts[3], params=SHORT)])
    assert results[3][0].text == alone.text


async def test_adapters_are_not_mixed_but_lengths_are(llama_engine: LocalEngine) -> None:
    before = llama_engine.stats.generate_calls
    long, short, _hint = await llama_engine.generate(
        [
            GenerationRequest(prompt=PROMPT, params=SHORT),
            GenerationRequest(prompt=PROMPT, params=GenerationParams(max_new_tokens=5)),
            GenerationRequest(prompt=PROMPT, params=SHORT, adapter="hint"),
        ]
    )
    # the two math-adapter requests differ only in max_new_tokens: they share a first slice of 5 steps,
    # the short one leaves, the long one goes on alone; the hint adapter gets its own slice
    assert llama_engine.stats.generate_calls == before + 3
    assert (long.generated_tokens, short.generated_tokens) == (12, 5)
    assert long.text.startswith(short.text) and short.finish_reason == "length"


async def test_num_return_sequences_and_beams(llama_engine: LocalEngine) -> None:
    params = GenerationParams(max_new_tokens=8, num_beams=3, num_return_sequences=3)
    [result] = await llama_engine.generate([GenerationRequest(prompt=PROMPT, params=params)])
    assert len(result.texts) == 3
    sampled = GenerationParams(max_new_tokens=8, do_sample=True, num_return_sequences=2, temperature=1.5)
    a, b = await llama_engine.generate([GenerationRequest(prompt=PROMPT, params=sampled)] * 2)
    assert len(a.texts) == len(b.texts) == 2


async def test_stream_yields_the_same_text_as_generate(llama_engine: LocalEngine) -> None:
    [full] = await llama_engine.generate([GenerationRequest(prompt=PROMPT, params=SHORT)])
    pieces = [p async for p in llama_engine.stream(GenerationRequest(prompt=PROMPT, params=SHORT))]
    assert len(pieces) > 1
    assert "".join(pieces).strip() == full.text


async def test_consumer_that_stops_cancels_generation(llama_engine: LocalEngine) -> None:
    long = GenerationParams(max_new_tokens=2000, min_new_tokens=2000)
    cancelled_before = llama_engine.stats.streams_cancelled
    stream = llama_engine.stream(GenerationRequest(prompt=PROMPT, params=long))
    received = [await anext(stream) for _ in range(3)]
    await stream.aclose()  # what a disconnecting SSE client does
    assert len(received) == 3
    # the next job on the single worker only runs after the cancelled generation has returned
    await llama_engine.generate([GenerationRequest(prompt=PROMPT, params=GenerationParams(max_new_tokens=1))])
    assert llama_engine.stats.streams_cancelled == cancelled_before + 1
    assert llama_engine.stats.last_stream_steps < 2000


async def test_bloom_family_loads_through_the_same_path(tiny_bloom: tuple[Path, Path]) -> None:
    engine = LocalEngine(local_config(*tiny_bloom, adapters=("math",)))
    assert engine.health().status == "not_loaded"
    try:
        await engine.load()
        assert engine.health().adapters == ["math@v1"]
        results = await engine.generate([GenerationRequest(prompt=PROMPT, params=SHORT)] * 2)
        assert [r.generated_tokens for r in results] == [12, 12]
        pieces = [p async for p in engine.stream(GenerationRequest(prompt=PROMPT, params=SHORT))]
        assert "".join(pieces).strip() == results[0].text
    finally:
        await engine.close()


async def test_bad_model_path_is_503_with_the_variable(tmp_path: Path, tiny_llama: tuple[Path, Path]) -> None:
    engine = LocalEngine(local_config(tmp_path / "missing", tiny_llama[1]))
    try:
        with pytest.raises(ServiceUnavailableError, match="TUTOR_LLM_MODEL"):
            await engine.load()
        assert engine.health().status == "error"
    finally:
        await engine.close()


async def test_missing_adapter_version_is_503(tiny_llama: tuple[Path, Path]) -> None:
    engine = LocalEngine(local_config(*tiny_llama, adapters=("math@v9",)))
    try:
        with pytest.raises(ServiceUnavailableError, match="math@v9"):
            await engine.load()
    finally:
        await engine.close()


async def test_requests_after_shutdown_are_503_not_500(tiny_llama: tuple[Path, Path]) -> None:
    engine = LocalEngine(local_config(*tiny_llama, adapters=("math",)))
    await engine.load()
    await engine.close()
    with pytest.raises(ServiceUnavailableError):
        await engine.generate([GenerationRequest(prompt=PROMPT, params=GenerationParams(max_new_tokens=2))])
