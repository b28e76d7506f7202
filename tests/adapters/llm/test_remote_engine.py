"""The remote engine against a real OpenAI-compatible server (vLLM's protocol) started by the test."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest

from adapters.llm.config import LLMConfig
from adapters.llm.local import LocalEngine
from adapters.llm.params import GenerationParams
from adapters.llm.prompting import render
from adapters.llm.protocol import LLMEngine
from adapters.llm.remote import RemoteEngine
from adapters.llm.schemas import GenerationRequest
from tutor.errors import ServiceUnavailableError, UnprocessableError

PROMPT = render("solution", "en", problem="3x - 5 = 10").text
SHORT = GenerationParams(max_new_tokens=10)
BASE_NAME = "tiny-belle"  # what the test server lists first (conftest)


def remote(url: str, adapters: tuple[str, ...] = ("math@v1", "hint@v1")) -> RemoteEngine:
    return RemoteEngine(LLMConfig(engine="remote", remote_url=url, adapters=adapters))


async def test_generate_matches_the_model_behind_the_server(
    openai_server: Any, llama_engine: LocalEngine
) -> None:
    engine = remote(openai_server.url)
    try:
        assert isinstance(engine, LLMEngine)
        await engine.load()
        health = engine.health()
        assert health.status == "ok" and health.model == BASE_NAME
        assert health.adapters == ["math@v1", "hint@v1"]
        math, hint = await engine.generate(
            [
                GenerationRequest(prompt=PROMPT, params=SHORT),
                GenerationRequest(prompt=PROMPT, params=SHORT, adapter="hint"),
            ]
        )
        local_math, local_hint = await llama_engine.generate(
            [
                GenerationRequest(prompt=PROMPT, params=SHORT),
                GenerationRequest(prompt=PROMPT, params=SHORT, adapter="hint"),
            ]
        )
        assert (math.text, hint.text) == (local_math.text, local_hint.text)
        assert math.adapter is not None and math.adapter.key == "math@v1"
        assert math.generated_tokens == 10 and math.finish_reason == "length"
        assert openai_server.bodies[-1]["model"] in {"math", "hint"}
        assert openai_server.bodies[-1]["temperature"] == 0.0
    finally:
        await engine.close()


async def test_several_sequences_and_base_model(openai_server: Any) -> None:
    engine = remote(openai_server.url)
    try:
        params = GenerationParams(max_new_tokens=6, do_sample=True, num_return_sequences=2)
        [result] = await engine.generate([GenerationRequest(prompt=PROMPT, params=params, adapter="")])
        assert len(result.texts) == 2 and result.adapter is None
        assert openai_server.bodies[-1]["model"] == BASE_NAME and openai_server.bodies[-1]["n"] == 2
    finally:
        await engine.close()


async def test_stream_over_sse_and_disconnect_closes_server_stream(openai_server: Any) -> None:
    engine = remote(openai_server.url)
    try:
        [full] = await engine.generate([GenerationRequest(prompt=PROMPT, params=SHORT)])
        pieces = [p async for p in engine.stream(GenerationRequest(prompt=PROMPT, params=SHORT))]
        assert len(pieces) > 1 and "".join(pieces).strip() == full.text
        closed = openai_server.streams_closed
        long = GenerationParams(max_new_tokens=2000, min_new_tokens=2000)
        stream = engine.stream(GenerationRequest(prompt=PROMPT, params=long))
        assert [await anext(stream) for _ in range(2)]
        await stream.aclose()
        for _ in range(200):  # the server notices the disconnect on its own schedule
            if openai_server.streams_closed > closed:
                break
            await asyncio.sleep(0.05)
        assert openai_server.streams_closed == closed + 1
    finally:
        await engine.close()


async def test_server_errors_map_to_4xx_and_503(openai_server: Any) -> None:
    engine = remote(openai_server.url)
    try:
        with pytest.raises(UnprocessableError, match="Unknown adapter"):
            await engine.generate([GenerationRequest(prompt=PROMPT, adapter="geometry")])
        # bypass local validation to see the server's own 400 mapped to a 422
        with pytest.raises(UnprocessableError, match="max_tokens is too large"):
            await engine._request(
                "POST", "/v1/completions", {"model": "math", "prompt": "x", "max_tokens": 5000}
            )
    finally:
        await engine.close()
    missing = remote(openai_server.url, adapters=("geometry@v1",))
    try:
        with pytest.raises(ServiceUnavailableError, match="geometry"):
            await missing.load()
        assert missing.health().status == "error"
    finally:
        await missing.close()


async def test_unreachable_server_is_503() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    engine = remote(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(ServiceUnavailableError, match="TUTOR_LLM_REMOTE_URL") as info:
            await engine.generate([GenerationRequest(prompt=PROMPT)])
        assert info.value.headers["Retry-After"] == "10"
    finally:
        await engine.close()


async def test_an_activated_version_is_loaded_at_run_time_or_named_for_the_operator(
    openai_server: Any,
) -> None:
    engine = remote(openai_server.url)
    try:
        assert (await engine.ensure_adapter("math", "v1", Path("/adapters/math/v1"))).key == "math@v1"
        loaded = await engine.ensure_adapter("math", "v2", Path("/adapters/math/v2"))
        assert openai_server.loaded_loras["math@v2"] == "/adapters/math/v2"
        [result] = await engine.generate([GenerationRequest(prompt=PROMPT, params=SHORT, adapter=loaded.key)])
        assert result.adapter == loaded and openai_server.bodies[-1]["model"] == "math@v2"
        openai_server.allow_runtime_lora = False
        with pytest.raises(ServiceUnavailableError, match="--lora-modules math@v3=/adapters/math/v3"):
            await engine.ensure_adapter("math", "v3", Path("/adapters/math/v3"))
    finally:
        openai_server.allow_runtime_lora = True
        await engine.close()
