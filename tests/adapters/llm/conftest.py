"""Session-scoped tiny BELLE look-alikes (LLaMA and BLOOM) with LoRAs, plus an OpenAI-compatible server.

The server is a small Litestar app under uvicorn in a thread, speaking ``/v1/models`` and
``/v1/completions`` (JSON and SSE) the way vLLM does, backed by its own LocalEngine on the tiny LLaMA:
the remote engine is then checked against real generations, not canned strings.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import pytest
import uvicorn
from litestar import Litestar, Response, get, post
from litestar.response import Stream

from adapters.llm.config import LLMConfig
from adapters.llm.local import LocalEngine
from adapters.llm.params import GenerationParams
from adapters.llm.schemas import GenerationRequest
from adapters.llm.testing import build_tiny_belle, shared_tiny_belle

BASE_NAME = "tiny-belle"


@pytest.fixture(scope="session")
def tiny_llama() -> tuple[Path, Path]:
    """LLaMA family with math + hint LoRAs (shared with the API tests of this session)."""
    return shared_tiny_belle("llama")


@pytest.fixture(scope="session")
def tiny_bloom(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build_tiny_belle(tmp_path_factory.mktemp("bloom"), "bloom", (("math", "v1"),))


def llama_config(model_dir: Path, adapter_dir: Path) -> LLMConfig:
    return LLMConfig(
        engine="local",
        model=str(model_dir),
        adapter_dir=adapter_dir,
        adapters=("math", "hint"),
        max_wait_ms=50.0,
    )


@pytest.fixture(scope="session")
async def llama_engine(tiny_llama: tuple[Path, Path]) -> AsyncIterator[LocalEngine]:
    engine = LocalEngine(llama_config(*tiny_llama))
    await engine.load()
    yield engine
    await engine.close()


@dataclass
class ServerState:
    """What the fake vLLM saw, and failures a test asks it to produce (like vLLM's own answers)."""

    url: str
    streams_closed: int = 0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # statuses for the next completions calls
    stream_error_after: int | None = None  # send an error chunk after this many pieces
    loaded_loras: dict[str, str] = field(default_factory=dict)
    allow_runtime_lora: bool = True
    models_down: bool = False


def _openai_app(config: LLMConfig, state: ServerState) -> Litestar:
    engine = LocalEngine(config)

    served = {BASE_NAME, "math", "hint"}

    @get("/v1/models")
    async def models() -> Any:
        if state.models_down:
            return Response({"error": {"message": "engine dead", "code": 500}}, status_code=500)
        await engine.load()
        ids = [BASE_NAME, "math", "hint", *state.loaded_loras]
        return {"object": "list", "data": [{"id": i} for i in ids]}

    @post("/v1/load_lora_adapter", status_code=200)
    async def load_lora(data: dict[str, Any]) -> Any:
        if not state.allow_runtime_lora:  # vLLM without VLLM_ALLOW_RUNTIME_LORA_UPDATING has no route
            return Response({"detail": "Not Found"}, status_code=404)
        state.loaded_loras[data["lora_name"]] = data["lora_path"]
        return Response(f"Success: LoRA adapter '{data['lora_name']}' added successfully.", status_code=200)

    @post("/v1/completions", status_code=200)
    async def completions(data: dict[str, Any]) -> Any:
        state.bodies.append(data)
        if state.fail_next:
            status = state.fail_next.pop(0)
            return Response({"error": {"message": "overloaded", "code": status}}, status_code=status)
        if data["model"] not in served | set(state.loaded_loras):
            message = f"The model `{data['model']}` does not exist."
            error = {"message": message, "type": "NotFoundError", "code": 404}
            return Response({"error": error}, status_code=404)
        if data.get("max_tokens", 16) > 2048:
            return Response({"message": "max_tokens is too large"}, status_code=400)
        sampling = data.get("temperature", 1.0) > 0
        beams = data.get("n", 1) if data.get("use_beam_search") else 1  # vLLM: n is the beam width
        params = GenerationParams(
            do_sample=sampling,
            max_new_tokens=data.get("max_tokens", 16),
            min_new_tokens=data.get("min_tokens", 0),
            num_return_sequences=data.get("n", 1),
            num_beams=beams,
            **({"temperature": data["temperature"], "top_p": data.get("top_p", 1.0)} if sampling else {}),
        )
        if data["model"] in state.loaded_loras:
            data = {**data, "model": "math"}  # the fake serves a runtime-loaded LoRA with math's weights
        request = GenerationRequest(
            prompt=data["prompt"], params=params, adapter="" if data["model"] == BASE_NAME else data["model"]
        )
        if data.get("stream"):

            async def events() -> AsyncIterator[bytes]:
                sent = 0
                try:
                    async for piece in engine.stream(request):
                        if state.stream_error_after is not None and sent >= state.stream_error_after:
                            error = {
                                "error": {
                                    "message": "CUDA out of memory",
                                    "type": "InternalServerError",
                                    "code": 500,
                                }
                            }
                            yield b"data: " + msgspec.json.encode(error) + b"\n\n"
                            break
                        chunk = {"choices": [{"index": 0, "text": piece, "finish_reason": None}]}
                        yield b"data: " + msgspec.json.encode(chunk) + b"\n\n"
                        sent += 1
                    yield b"data: [DONE]\n\n"
                finally:
                    state.streams_closed += 1

            return Stream(events(), media_type="text/event-stream")
        [result] = await engine.generate([request])
        return {
            "object": "text_completion",
            "model": data["model"],
            "choices": [
                {"index": i, "text": text, "finish_reason": result.finish_reason}
                for i, text in enumerate(result.texts)
            ],
            "usage": {"prompt_tokens": result.prompt_tokens, "completion_tokens": result.generated_tokens},
        }

    return Litestar([models, completions, load_lora], on_shutdown=[engine.close])


@pytest.fixture(scope="session")
def openai_server(tiny_llama: tuple[Path, Path]) -> Iterator[ServerState]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    state = ServerState(url=f"http://127.0.0.1:{port}")
    app = _openai_app(llama_config(*tiny_llama), state)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield state
    server.should_exit = True
    thread.join(10)
    sock.close()
