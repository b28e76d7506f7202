"""Remote engine: the same interface over an OpenAI-compatible ``/v1/completions`` server.

Meant for vLLM serving BELLE with ``--enable-lora --lora-modules math=/adapters/math/v1``: the LoRA is
chosen per request through the ``model`` field. vLLM batches continuously on its side, so this
engine only bounds how many requests it has in flight (503 + Retry-After beyond that). Streaming
reads Server-Sent Events; closing the stream closes the HTTP response, which vLLM takes as an abort.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, Sequence
from pathlib import Path
from typing import Any, Literal

import httpx
import msgspec

from adapters.llm.config import LLMConfig
from adapters.llm.registry import parse_adapter_spec, pick_adapter
from adapters.llm.schemas import (
    MAX_PROMPT_CHARS,
    AdapterRef,
    EngineHealth,
    GenerationRequest,
    GenerationResult,
)
from tutor.errors import ServiceUnavailableError, UnprocessableError

__all__ = ["RemoteEngine"]

log = logging.getLogger(__name__)


class _Choice(msgspec.Struct):
    text: str
    index: int = 0
    finish_reason: str | None = None


class _Usage(msgspec.Struct):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class _Completion(msgspec.Struct):
    choices: list[_Choice]
    usage: _Usage | None = None


def _finish(reason: str | None) -> Literal["stop", "length", "cancelled"]:
    return "length" if reason == "length" else "stop"


class RemoteEngine:
    """OpenAI-compatible completions client; adapters are ``name@version`` specs from settings.

    The served LoRA module must be named like the adapter (``math``); the version in
    ``TUTOR_LLM_ADAPTERS`` (``math@v1``) is what the audit log records for it.
    """

    name = "remote"

    def __init__(self, config: LLMConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not config.remote_url:
            raise ServiceUnavailableError("No remote model server configured: set TUTOR_LLM_REMOTE_URL.")
        self.config = config
        headers = {"Authorization": f"Bearer {config.remote_api_key}"} if config.remote_api_key else {}
        self._client = httpx.AsyncClient(
            base_url=config.remote_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(config.timeout_s, connect=5.0),
            transport=transport,
        )
        self._adapters: dict[str, AdapterRef] = {}
        for spec in config.adapters:
            name, version = parse_adapter_spec(spec)
            self._adapters[name] = AdapterRef(name=name, version=version or "served")
        self._default = next(iter(self._adapters.values()), None)
        self._extra: dict[str, AdapterRef] = {}  # activated versions the server serves as name@version
        self.model_name = config.remote_model or ""
        self._served: list[str] = []
        self._error: str | None = None
        self._in_flight = 0
        # vLLM batches on its side; allow a few batches in flight, queue up to max_queue more
        self._capacity = max(1, config.max_batch_size * 4)
        self._slots = asyncio.Semaphore(self._capacity)

    async def load(self) -> None:
        """Ask the server what it serves; the base model is the first entry unless configured."""
        if self._served:
            return
        data = await self._request("GET", "/v1/models")
        self._served = [m["id"] for m in data.get("data", []) if isinstance(m, dict) and "id" in m]
        if not self.model_name and self._served:
            self.model_name = self._served[0]
        missing = [a.name for a in self._adapters.values() if a.name not in self._served]
        if missing:
            self._served = []
            self._error = f"server does not serve adapters {missing}"
            raise ServiceUnavailableError(
                f"The model server at TUTOR_LLM_REMOTE_URL does not serve the LoRA adapters {missing};"
                " start vLLM with --enable-lora --lora-modules NAME=PATH or fix TUTOR_LLM_ADAPTERS.",
                retry_after=30,
            )
        self._error = None

    def health(self) -> EngineHealth:
        return EngineHealth(
            status="ok" if self._served else "error" if self._error else "not_loaded",
            engine=self.name,
            model=self.model_name or (self.config.remote_url or ""),
            adapters=[a.key for a in self._adapters.values()],
            detail=self._error,
        )

    def resolve_adapter(self, adapter: str | None) -> AdapterRef | None:
        if adapter and adapter in self._extra:
            return self._extra[adapter]
        return pick_adapter(self._adapters, self._default, adapter, where="served")

    async def ensure_adapter(self, name: str, version: str, path: Path) -> AdapterRef:
        """The server must already serve a LoRA module named ``name@version``; this cannot load one."""
        ref = AdapterRef(name=name, version=version)
        if ref.key in self._extra or self._adapters.get(name) == ref:
            return ref
        await self.load()
        if ref.key not in self._served:
            self._served = []  # ask again next time: the operator may have added the module
            raise ServiceUnavailableError(
                f"The model server at TUTOR_LLM_REMOTE_URL does not serve the activated adapter {ref.key};"
                f" start vLLM with --enable-lora --lora-modules {ref.key}={path}.",
                retry_after=30,
            )
        self._extra[ref.key] = ref
        return ref

    def count_tokens(self, text: str) -> int:
        """An upper bound without a tokenizer: BELLE's vocabularies never use more than one per character."""
        return len(text)

    async def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = await self._client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            self._error = f"{type(exc).__name__}"
            raise ServiceUnavailableError(
                "The model server (TUTOR_LLM_REMOTE_URL) cannot be reached.", retry_after=10
            ) from exc
        self._raise_for(response.status_code, response.text)
        result: dict[str, Any] = response.json()
        return result

    @staticmethod
    def _raise_for(status: int, text: str) -> None:
        if status < 400:
            return
        try:
            message = json.loads(text).get("message") or json.loads(text).get("error", {}).get("message")
        except (ValueError, AttributeError):
            message = None
        if status in (400, 422):
            raise UnprocessableError(f"The model server rejected the request: {message or status}.")
        raise ServiceUnavailableError(f"The model server answered {status}.", retry_after=10)

    def _body(self, request: GenerationRequest, stream: bool) -> dict[str, Any]:
        if len(request.prompt) > MAX_PROMPT_CHARS:
            raise UnprocessableError(f"The prompt is too long (over {MAX_PROMPT_CHARS} characters).")
        ref = self.resolve_adapter(request.adapter)
        return {
            "model": (ref.key if ref.key in self._extra else ref.name) if ref else self.model_name,
            "prompt": request.prompt,
            "stream": stream,
            **request.params.to_openai(),
        }

    def _check_capacity(self) -> None:
        if self._in_flight >= self._capacity + self.config.max_queue:
            raise ServiceUnavailableError(
                "The model server is busy: too many requests waiting.", retry_after=5
            )

    async def _one(self, request: GenerationRequest) -> GenerationResult:
        body = self._body(request, stream=False)
        self._check_capacity()
        self._in_flight += 1
        try:
            async with self._slots:
                data = await self._request("POST", "/v1/completions", body)
        finally:
            self._in_flight -= 1
        completion = msgspec.convert(data, _Completion)
        choices = sorted(completion.choices, key=lambda c: c.index)
        if not choices:
            raise ServiceUnavailableError("The model server returned no completion.", retry_after=5)
        usage = completion.usage or _Usage()
        return GenerationResult(
            texts=[c.text.strip() for c in choices],
            model=self.model_name,
            adapter=self.resolve_adapter(request.adapter),
            prompt_tokens=usage.prompt_tokens,
            generated_tokens=usage.completion_tokens,
            finish_reason=_finish(choices[0].finish_reason),
        )

    async def generate(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        await self.load()
        for request in requests:
            self._body(request, stream=False)  # validate all before sending any
        return list(await asyncio.gather(*(self._one(r) for r in requests)))

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[str, None]:
        """Yield text deltas from the SSE stream; leaving early closes the connection (abort)."""
        await self.load()
        params = msgspec.structs.replace(request.params, num_beams=1, num_return_sequences=1)
        body = self._body(msgspec.structs.replace(request, params=params), stream=True)
        self._check_capacity()
        self._in_flight += 1
        try:
            async with self._slots, self._client.stream("POST", "/v1/completions", json=body) as response:
                if response.status_code >= 400:
                    self._raise_for(response.status_code, (await response.aread()).decode(errors="replace"))
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        break
                    chunk = msgspec.json.decode(payload, type=_Completion)
                    if chunk.choices and chunk.choices[0].text:
                        yield chunk.choices[0].text
        except httpx.HTTPError as exc:
            raise ServiceUnavailableError(
                "The model server (TUTOR_LLM_REMOTE_URL) failed while streaming.", retry_after=10
            ) from exc
        finally:
            self._in_flight -= 1

    async def close(self) -> None:
        await self._client.aclose()
