"""The remote engine speaks vLLM's documented OpenAI-compatible API (fake vLLM: tiny model + uvicorn)."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.llm.config import LLMConfig
from adapters.llm.params import GenerationParams
from adapters.llm.prompting import render
from adapters.llm.remote import RemoteEngine
from adapters.llm.schemas import GenerationRequest
from tutor.errors import ServiceUnavailableError, UnprocessableError

PROMPT = render("solution", "en", problem="3x - 5 = 10").text
SHORT = GenerationParams(max_new_tokens=6)


@pytest.fixture
async def engine(openai_server: Any) -> Any:
    engine = RemoteEngine(LLMConfig(engine="remote", remote_url=openai_server.url, adapters=("math@v1",)))
    yield engine
    await engine.close()
    openai_server.fail_next.clear()
    openai_server.stream_error_after = None
    openai_server.models_down = False


async def test_beams_are_n_with_use_beam_search(engine: RemoteEngine, openai_server: Any) -> None:
    params = GenerationParams(max_new_tokens=6, num_beams=3, num_return_sequences=2)
    [result] = await engine.generate([GenerationRequest(prompt=PROMPT, params=params)])
    body = openai_server.bodies[-1]
    assert body["use_beam_search"] is True and body["n"] == 3 and "best_of" not in body
    assert len(result.texts) == 2  # vLLM returns n beams; the two asked for are kept


async def test_controls_vllm_lacks_are_refused_and_seed_is_sent(
    engine: RemoteEngine, openai_server: Any
) -> None:
    with pytest.raises(UnprocessableError, match="no_repeat_ngram_size"):
        await engine.generate(
            [GenerationRequest(prompt=PROMPT, params=GenerationParams(no_repeat_ngram_size=3))]
        )
    seeded = GenerationParams(max_new_tokens=4, do_sample=True, seed=11)
    await engine.generate([GenerationRequest(prompt=PROMPT, params=seeded)])
    assert openai_server.bodies[-1]["seed"] == 11 and openai_server.bodies[-1]["top_p"] == 0.75


async def test_overloaded_answers_are_retried_with_backoff(engine: RemoteEngine, openai_server: Any) -> None:
    await engine.load()
    openai_server.fail_next[:] = [503, 502]
    before = len(openai_server.bodies)
    [result] = await engine.generate([GenerationRequest(prompt=PROMPT, params=SHORT)])
    assert result.generated_tokens == 6 and len(openai_server.bodies) == before + 3
    openai_server.fail_next[:] = [503] * 5
    with pytest.raises(ServiceUnavailableError, match="503: overloaded"):
        await engine.generate([GenerationRequest(prompt=PROMPT, params=SHORT)])


async def test_a_404_keeps_vllms_message(engine: RemoteEngine) -> None:
    await engine.load()
    with pytest.raises(ServiceUnavailableError, match="The model `geometry` does not exist"):
        await engine._request(
            "POST", "/v1/completions", {"model": "geometry", "prompt": "x", "max_tokens": 2}
        )


async def test_an_error_chunk_mid_stream_is_a_503_with_the_message(
    engine: RemoteEngine, openai_server: Any
) -> None:
    openai_server.stream_error_after = 2
    stream = engine.stream(GenerationRequest(prompt=PROMPT, params=GenerationParams(max_new_tokens=40)))
    pieces = []
    with pytest.raises(ServiceUnavailableError, match="CUDA out of memory"):
        async for piece in stream:
            pieces.append(piece)
    assert len(pieces) == 2


async def test_health_follows_the_server(engine: RemoteEngine, openai_server: Any) -> None:
    await engine.load()
    assert engine.health().status == "ok"
    openai_server.models_down = True
    engine._checked_at = -1e9  # the refresh interval has passed
    with pytest.raises(ServiceUnavailableError, match="engine dead"):
        await engine.generate([GenerationRequest(prompt=PROMPT, params=SHORT)])
    assert engine.health().status == "error"
    openai_server.models_down = False
    await engine.generate([GenerationRequest(prompt=PROMPT, params=SHORT)])
    assert engine.health().status == "ok"
