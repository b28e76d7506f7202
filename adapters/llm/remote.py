"""Remote engine: the same interface over an OpenAI-compatible ``/v1/completions`` server.

Meant for vLLM serving a LLaMA-based BELLE with ``--enable-lora --lora-modules math=/adapters/math/v1``:
the LoRA is chosen per request through the ``model`` field. vLLM batches continuously on its side, so
this engine only bounds how many requests it has in flight (503 + Retry-After beyond that). Streaming
reads Server-Sent Events; closing the stream closes the HTTP response, which vLLM takes as an abort.

Against vLLM's documented API: beams are ``use_beam_search`` with ``n`` as the beam width
(:meth:`GenerationParams.to_openai`); an error chunk in the middle of a stream
(``data: {"error": {...}}``) ends the stream with a 503/422 carrying vLLM's message; a 404 (an
unknown model or LoRA) keeps vLLM's message; connection failures and 502/503/504 are retried with
exponential backoff and jitter (tenacity) before a request is sent, never mid-stream; the list of
served models is refreshed every ``_REFRESH_S`` seconds and after a failure, so health follows the
server; an activated adapter the server does not serve yet is loaded at run time through
``POST /v1/load_lora_adapter`` (vLLM started with ``VLLM_ALLOW_RUNTIME_LORA_UPDATING=True``).
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
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from adapters.llm.config import LLMConfig
from adapters.llm.registry import parse_adapter_spec, pick_adapter
from adapters.llm.schemas import (
    MAX_PROMPT_CHARS,
    AdapterRef,
    EngineHealth,
    GenerationRequest,
    GenerationResult,
)
from tutor.errors import ServiceUnavailableError, TutorError, UnprocessableError

__all__ = ["RemoteEngine"]

log = logging.getLogger(__name__)

_REFRESH_S = 30.0
_RETRY_STATUS = (502, 503, 504)


class _Retryable(Exception):
    """A failure worth another try (the request never reached the model)."""

    def __init__(self, status: int | None, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def _server_message(text: str) -> str | None:
    """vLLM's error message: ``{"message": ...}`` (older) or ``{"error": {"message": ...}}``."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    if isinstance(error, str):
        return error
    return str(data["message"]) if data.get("message") else None


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


def _finish(reason: str | None) -> Literal["stop", "length", "cancelled", "time_limit"]:
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
        self._checked_at = 0.0
        self.retries = 3

    async def load(self) -> None:
        """Ask the server what it serves (again every ``_REFRESH_S`` s); the base model is the first
        entry unless configured."""
        loop = asyncio.get_running_loop()
        if self._served and loop.time() - self._checked_at < _REFRESH_S:
            return
        try:
            data = await self._request("GET", "/v1/models")
        except ServiceUnavailableError:
            self._served = []
            raise
        self._checked_at = loop.time()
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
        """Serve ``name@version``: already served, or loaded at run time (``/v1/load_lora_adapter``).

        ``path`` must be the adapter's directory as the vLLM host sees it (a shared volume).
        """
        ref = AdapterRef(name=name, version=version)
        if ref.key in self._extra or self._adapters.get(name) == ref:
            return ref
        await self.load()
        if ref.key not in self._served:
            try:
                await self._request(
                    "POST", "/v1/load_lora_adapter", {"lora_name": ref.key, "lora_path": str(path)}
                )
            except TutorError as exc:
                self._served = []  # ask again next time: the operator may have added the module
                raise ServiceUnavailableError(
                    f"The model server at TUTOR_LLM_REMOTE_URL does not serve the activated adapter"
                    f" {ref.key} and could not load it at run time ({exc.message}). Start vLLM with"
                    f" VLLM_ALLOW_RUNTIME_LORA_UPDATING=True, or with --lora-modules {ref.key}={path}.",
                    retry_after=30,
                ) from exc
            self._served.append(ref.key)
        self._extra[ref.key] = ref
        return ref

    def count_tokens(self, text: str) -> int:
        """An upper bound without a tokenizer: BELLE's vocabularies never use more than one per character."""
        return len(text)

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            stop=stop_after_attempt(self.retries),
            wait=wait_exponential_jitter(initial=0.2, max=2.0),
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )

    async def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One call, retried with backoff on connection failures and 502/503/504."""
        try:
            async for attempt in self._retrying():
                with attempt:
                    try:
                        response = await self._client.request(method, path, json=body)
                    except httpx.TransportError as exc:
                        raise _Retryable(None, type(exc).__name__) from exc
                    if response.status_code in _RETRY_STATUS:
                        raise _Retryable(response.status_code, response.text)
        except _Retryable as exc:
            self._error = exc.text[:200] if exc.status is None else f"HTTP {exc.status}"
            self._served = []
            if exc.status is None:
                raise ServiceUnavailableError(
                    "The model server (TUTOR_LLM_REMOTE_URL) cannot be reached.", retry_after=10
                ) from exc
            self._raise_for(exc.status, exc.text)
        except httpx.HTTPError as exc:
            self._error = f"{type(exc).__name__}"
            raise ServiceUnavailableError(
                "The model server (TUTOR_LLM_REMOTE_URL) failed.", retry_after=10
            ) from exc
        if response.status_code >= 500:  # the server is up but failing: health says so
            self._error, self._served = f"HTTP {response.status_code}", []
        self._raise_for(response.status_code, response.text)
        try:
            result: dict[str, Any] = response.json()
        except ValueError:  # vLLM answers some admin routes (load_lora_adapter) in plain text
            result = {"text": response.text}
        return result

    @staticmethod
    def _raise_for(status: int, text: str) -> None:
        if status < 400:
            return
        message = _server_message(text)
        if status in (400, 422):
            raise UnprocessableError(f"The model server rejected the request: {message or status}.")
        detail = f": {message}" if message else ""
        raise ServiceUnavailableError(f"The model server answered {status}{detail}.", retry_after=10)

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
        # beam search returns n = num_beams beams, best first: keep the sequences asked for
        choices = sorted(completion.choices, key=lambda c: c.index)[: request.params.num_return_sequences]
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
                    try:
                        data = json.loads(payload)
                    except ValueError as exc:
                        raise ServiceUnavailableError(
                            "The model server sent an unreadable stream chunk.", retry_after=5
                        ) from exc
                    if isinstance(data, dict) and ("error" in data or data.get("object") == "error"):
                        error = data.get("error")
                        code = error.get("code") if isinstance(error, dict) else data.get("code")
                        status = int(str(code)) if str(code).isdigit() else 500
                        self._raise_for(status if status >= 400 else 500, payload)
                    chunk = msgspec.convert(data, _Completion)
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
