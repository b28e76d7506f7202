"""Local engine: a BELLE base model (BLOOM or LLaMA family) plus PEFT LoRA adapters, in-process.

Follows the TGI/vLLM model-class shape: the engine owns model, tokenizer, dtype and device; loads
once, lazily, on a single worker thread (the model is not thread-safe: adapters are switched per
batch); generation never runs on the event loop. Greedy and sampled requests (and every stream) go
through :class:`SliceScheduler`: they join and leave the running batch between decoding slices,
whatever their ``max_new_tokens``; beam search and several returned sequences need the whole search
at once and are merged into one ``generate`` call per (adapter, params) by :class:`DynamicBatcher`.

GPU options: ``TUTOR_LLM_DTYPE=float16|bfloat16`` and ``TUTOR_LLM_QUANTIZATION=8bit|4bit``
(bitsandbytes, CUDA only; ``pip install bitsandbytes`` on the GPU host).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from adapters._torch_compat import ensure_torchvision_ops
from adapters.llm.batching import DynamicBatcher
from adapters.llm.config import LLMConfig
from adapters.llm.registry import pick_adapter, resolve_adapter_dirs
from adapters.llm.scheduler import SliceJob, SliceScheduler, sliceable
from adapters.llm.schemas import (
    MAX_PROMPT_CHARS,
    AdapterRef,
    EngineHealth,
    GenerationRequest,
    GenerationResult,
)
from adapters.llm.slicing import SliceCache, run_slice
from tutor.errors import ServiceUnavailableError, TutorError, UnprocessableError

__all__ = ["MAX_LOADED_ADAPTERS", "EngineStats", "LocalEngine"]

log = logging.getLogger(__name__)

MAX_LOADED_ADAPTERS = 8
"""Adapters one engine keeps in memory (startup + loaded on demand); more is refused with a 503."""


@dataclass(slots=True)
class EngineStats:
    """Counters a metrics route (and the tests) read: how work was actually batched and stopped."""

    generate_calls: int = 0
    requests: int = 0
    generated_tokens: int = 0
    streams: int = 0
    streams_cancelled: int = 0
    last_stream_steps: int = 0


@dataclass(slots=True)
class _Loaded:
    model: Any
    tokenizer: Any  # used on the worker thread only
    counter: Any  # a second instance for the event loop: fast tokenizers are not safe to share
    device: str
    dtype: str


def _resolve_device(setting: str) -> str:
    import torch

    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return setting


def _resolve_dtype(setting: str, device: str) -> Any:
    import torch

    if setting == "auto":
        if device.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    try:
        return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[setting]
    except KeyError:
        raise ServiceUnavailableError(
            f"TUTOR_LLM_DTYPE={setting!r} is not supported; use auto, float32, float16 or bfloat16."
        ) from None


def _adapter_files(path: Path) -> tuple[Path, bool]:
    resolved = Path(path).resolve()
    return resolved, (resolved / "adapter_config.json").is_file()


class LocalEngine:
    """transformers + peft engine; see the module docstring."""

    name = "local"

    def __init__(self, config: LLMConfig) -> None:
        if not config.model:
            raise ServiceUnavailableError("No local model configured: set TUTOR_LLM_MODEL.")
        self.config = config
        self.model_name = config.model
        self.stats = EngineStats()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm-local")
        self._loaded: _Loaded | None = None
        self._load_error: str | None = None
        self._load_lock = asyncio.Lock()
        self._adapters: dict[str, AdapterRef] = {}
        self._default_adapter: AdapterRef | None = None
        self._active: str | None = None
        self._extra: dict[str, AdapterRef] = {}  # loaded on demand (activations), by key
        self._paths: dict[str, Path] = {}  # every loaded adapter's directory, by key
        self._adapter_lock = asyncio.Lock()
        self._waiting_streams = 0
        self._batcher: DynamicBatcher[GenerationRequest, GenerationResult] = DynamicBatcher(
            self._run_batch,
            self._batch_key,
            self._executor,
            max_batch_size=config.max_batch_size,
            max_wait_s=config.max_wait_ms / 1000.0,
            max_queue=config.max_queue,
        )
        self._slice_cache = SliceCache()
        self._scheduler = SliceScheduler(
            self._slice_runner,
            self._executor,
            max_batch_size=config.max_batch_size,
            slice_tokens=config.slice_tokens,
            max_queue=config.max_queue,
            queue_timeout_s=config.queue_timeout_s,
            time_limit_s=config.timeout_s,
        )

    # -- loading -----------------------------------------------------------------------------
    async def load(self) -> None:
        if self._loaded is not None:
            return
        async with self._load_lock:
            if self._loaded is not None:
                return
            loop = asyncio.get_running_loop()
            try:
                self._loaded = await loop.run_in_executor(self._executor, self._load_sync)
                self._load_error = None
            except ServiceUnavailableError as exc:
                self._load_error = exc.message
                raise
            except Exception as exc:
                log.exception("LLM load failed")
                self._load_error = f"{type(exc).__name__}: {exc}"
                raise ServiceUnavailableError(
                    f"The language model could not be loaded from TUTOR_LLM_MODEL={self.model_name!r}"
                    f" ({type(exc).__name__}). Check the path and TUTOR_LLM_ADAPTER_DIR.",
                    retry_after=30,
                ) from exc

    def _load_sync(self) -> _Loaded:
        ensure_torchvision_ops()
        from transformers import AutoModelForCausalLM, AutoTokenizer

        cfg = self.config
        device = _resolve_device(cfg.device)
        dtype = _resolve_dtype(cfg.dtype, device)
        tokenizer = AutoTokenizer.from_pretrained(cfg.model)
        tokenizer.padding_side = "left"  # decoder-only batching: pad on the left so new tokens align
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token or tokenizer.unk_token
        kwargs: dict[str, Any] = {"dtype": dtype}
        if cfg.quantization != "none":
            if not device.startswith("cuda"):
                raise ServiceUnavailableError(
                    "TUTOR_LLM_QUANTIZATION needs a CUDA GPU (bitsandbytes); set it to none on CPU."
                )
            from transformers import BitsAndBytesConfig

            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_8bit=cfg.quantization == "8bit",
                load_in_4bit=cfg.quantization == "4bit",
                bnb_4bit_compute_dtype=dtype,
            )
            kwargs["device_map"] = "auto"
        model: Any = AutoModelForCausalLM.from_pretrained(str(cfg.model), **kwargs)
        if cfg.quantization == "none":
            model.to(device)
        adapters: list[tuple[AdapterRef, Path]] = []
        if cfg.adapter_dir is not None and cfg.adapters:
            adapters = resolve_adapter_dirs(cfg.adapter_dir, cfg.adapters)
        if adapters:
            from peft import PeftModel

            first_ref, first_path = adapters[0]
            model = PeftModel.from_pretrained(model, str(first_path), adapter_name=first_ref.key)
            for ref, path in adapters[1:]:
                model.load_adapter(str(path), adapter_name=ref.key)
            self._adapters = {ref.name: ref for ref, _ in adapters}
            self._paths = {ref.key: path.resolve() for ref, path in adapters}
            self._default_adapter = first_ref
            model.set_adapter(first_ref.key)
            self._active = first_ref.key
        model.eval()
        counter = AutoTokenizer.from_pretrained(cfg.model)
        return _Loaded(
            model=model,
            tokenizer=tokenizer,
            counter=counter,
            device=device,
            dtype=str(dtype).removeprefix("torch."),
        )

    def _require(self) -> _Loaded:
        if self._loaded is None:
            raise ServiceUnavailableError("The language model is not loaded yet.", retry_after=5)
        return self._loaded

    # -- introspection -----------------------------------------------------------------------
    def health(self) -> EngineHealth:
        if self._loaded is None:
            return EngineHealth(
                status="error" if self._load_error else "not_loaded",
                engine=self.name,
                model=self.model_name,
                detail=self._load_error,
            )
        return EngineHealth(
            status="ok",
            engine=self.name,
            model=self.model_name,
            adapters=[ref.key for ref in self._adapters.values()] + list(self._extra),
            device=self._loaded.device,
            dtype=self._loaded.dtype,
        )

    def resolve_adapter(self, adapter: str | None) -> AdapterRef | None:
        if adapter and adapter in self._extra:
            return self._extra[adapter]
        return pick_adapter(self._adapters, self._default_adapter, adapter, where="loaded")

    async def ensure_adapter(self, name: str, version: str, path: Path) -> AdapterRef:
        """Load ``path`` as ``name@version`` next to the startup adapters (on the model thread)."""
        ref = AdapterRef(name=name, version=version)
        await self.load()
        async with self._adapter_lock:
            resolved, has_config = await asyncio.to_thread(_adapter_files, path)
            known = self._paths.get(ref.key)
            if known is not None:
                if known != resolved:
                    raise ServiceUnavailableError(
                        f"Adapter {ref.key} is already loaded from {known}, not {resolved}:"
                        " rename one of them (TUTOR_LLM_ADAPTERS) or restart the engine.",
                        retry_after=30,
                    )
                return ref
            if len(self._paths) >= MAX_LOADED_ADAPTERS:
                raise ServiceUnavailableError(
                    f"Cannot load adapter {ref.key}: {MAX_LOADED_ADAPTERS} adapters are already loaded"
                    f" ({', '.join(self._paths)}). Restart the engine to unload old versions.",
                    retry_after=30,
                )
            if not has_config:
                raise ServiceUnavailableError(
                    f"Adapter {ref.key} cannot be served: no adapter_config.json in {resolved}."
                )
            loop = asyncio.get_running_loop()
            try:
                await loop.run_in_executor(self._executor, self._load_adapter_sync, ref, resolved)
            except TutorError:
                raise
            except Exception as exc:
                log.exception("loading adapter %s failed", ref.key)
                raise ServiceUnavailableError(
                    f"Adapter {ref.key} could not be loaded from {resolved} ({type(exc).__name__}).",
                    retry_after=30,
                ) from exc
            self._extra[ref.key] = ref
            self._paths[ref.key] = resolved
            return ref

    def _load_adapter_sync(self, ref: AdapterRef, path: Path) -> None:
        """Runs on the model's one worker thread, so it never overlaps a generation."""
        loaded = self._require()
        if self._paths:  # already a PeftModel
            loaded.model.load_adapter(str(path), adapter_name=ref.key)
        else:
            from peft import PeftModel

            loaded.model = PeftModel.from_pretrained(loaded.model, str(path), adapter_name=ref.key)
            self._active = ref.key
        loaded.model.eval()

    def count_tokens(self, text: str) -> int:
        return len(self._require().counter(text, add_special_tokens=False)["input_ids"])

    def context_length(self) -> int | None:
        """Positions the model can attend to (prompt + new tokens); None when it has no fixed limit."""
        config = self._require().model.config
        value = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
        return int(value) if value else None

    def _check_prompt(self, request: GenerationRequest) -> None:
        if len(request.prompt) > MAX_PROMPT_CHARS:
            raise UnprocessableError(f"The prompt is too long (over {MAX_PROMPT_CHARS} characters).")
        n = self.count_tokens(request.prompt)
        if n > self.config.max_prompt_tokens:
            raise UnprocessableError(
                f"The prompt is too long: {n} tokens, at most {self.config.max_prompt_tokens}."
            )
        context = self.context_length()
        if context is not None and n + request.params.max_new_tokens > context:
            raise UnprocessableError(
                f"params.max_new_tokens: the prompt ({n} tokens) plus {request.params.max_new_tokens} new"
                f" tokens exceeds the model's context of {context} tokens.",
                field="params.max_new_tokens",
            )

    # -- batched generation ------------------------------------------------------------------
    def _batch_key(self, request: GenerationRequest) -> Hashable:
        ref = self.resolve_adapter(request.adapter)
        return (ref.key if ref else None, request.params)

    def _activate(self, ref: AdapterRef | None) -> Any:
        """Switch the peft adapter on the worker thread; returns a context for the base model."""
        import contextlib

        model = self._require().model
        if ref is None:
            return model.disable_adapter() if self._paths else contextlib.nullcontext()
        if self._active != ref.key:
            model.set_adapter(ref.key)
            self._active = ref.key
        return contextlib.nullcontext()

    def _run_batch(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        import torch

        loaded = self._require()
        tok = loaded.tokenizer
        ref = self.resolve_adapter(requests[0].adapter)
        params = requests[0].params
        enc = tok([r.prompt for r in requests], return_tensors="pt", padding=True).to(loaded.device)
        prompt_len = enc["input_ids"].shape[1]
        if params.seed is not None:
            torch.manual_seed(params.seed)
        started = time.monotonic()
        with self._activate(ref), torch.inference_mode():
            out = loaded.model.generate(
                **enc,
                **params.to_hf(),
                max_time=self.config.timeout_s,
                pad_token_id=tok.pad_token_id,
            )
        timed_out = time.monotonic() - started >= self.config.timeout_s
        self.stats.generate_calls += 1
        self.stats.requests += len(requests)
        new = out[:, prompt_len:]
        n = params.num_return_sequences
        results: list[GenerationResult] = []
        for i, _request in enumerate(requests):
            rows = new[i * n : (i + 1) * n]
            counts = [int((row != tok.pad_token_id).sum()) for row in rows]
            self.stats.generated_tokens += sum(counts)
            texts = tok.batch_decode(rows, skip_special_tokens=True)
            results.append(
                GenerationResult(
                    texts=[t.strip() for t in texts],
                    model=self.model_name,
                    adapter=ref,
                    prompt_tokens=int(enc["attention_mask"][i].sum()),
                    generated_tokens=sum(counts),
                    finish_reason="length"
                    if max(counts) >= params.max_new_tokens
                    else "time_limit"
                    if timed_out
                    else "stop",
                )
            )
        return results

    # -- sliced generation (the scheduler) ------------------------------------------------------
    def _slice_runner(self, jobs: Sequence[SliceJob], steps: int) -> None:
        """One slice on the model's thread (the scheduler calls this through the executor)."""
        loaded = self._require()
        ref = self.resolve_adapter(jobs[0].payload.adapter)
        with self._activate(ref):
            run_slice(loaded.model, loaded.tokenizer, loaded.device, jobs, steps, self._slice_cache)
        self.stats.generate_calls += 1

    def _slice_key(self, request: GenerationRequest) -> Hashable:
        ref = self.resolve_adapter(request.adapter)
        # rows of one slice share decoding controls; their lengths may differ
        shared = msgspec.structs.replace(request.params, max_new_tokens=1, min_new_tokens=0)
        return (ref.key if ref else None, shared)

    def _submit_slice(self, request: GenerationRequest, on_token: Any = None) -> SliceJob:
        ids = self._require().counter(request.prompt)["input_ids"]
        self.stats.requests += 1
        return self._scheduler.submit(self._slice_key(request), request, list(ids), request.params, on_token)

    def _job_result(self, job: SliceJob) -> GenerationResult:
        loaded = self._require()
        request: GenerationRequest = job.payload
        self.stats.generated_tokens += len(job.generated)
        finish = job.finish if job.finish in ("stop", "length", "cancelled", "time_limit") else "stop"
        return GenerationResult(
            texts=[loaded.counter.decode(job.generated, skip_special_tokens=True).strip()],
            model=self.model_name,
            adapter=self.resolve_adapter(request.adapter),
            prompt_tokens=len(job.prompt_ids),
            generated_tokens=len(job.generated),
            finish_reason=finish,  # type: ignore[arg-type]
        )

    async def _generate_one(self, request: GenerationRequest, job: SliceJob | None) -> GenerationResult:
        if job is None:  # beams / several sequences: the whole search at once
            return await self._batcher.submit(request)
        try:
            await job.future
        except asyncio.CancelledError:
            job.cancel.set()  # the caller went away: its row stops at the next step
            raise
        return self._job_result(job)

    async def generate(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        await self.load()
        for request in requests:
            self.resolve_adapter(request.adapter)
            self._check_prompt(request)
        # queued now, before any task switch, so requests given together share their first slice
        jobs = [self._submit_slice(r) if sliceable(r.params) else None for r in requests]
        try:
            return list(
                await asyncio.gather(*(self._generate_one(r, j) for r, j in zip(requests, jobs, strict=True)))
            )
        except TutorError:
            raise
        except Exception as exc:  # a model failure (OOM, bad weights) is a 503, never a 500
            log.exception("LLM generation failed")
            raise ServiceUnavailableError(
                f"The language model failed while generating ({type(exc).__name__}).", retry_after=5
            ) from exc

    # -- streaming ---------------------------------------------------------------------------
    async def stream(self, request: GenerationRequest) -> AsyncGenerator[str, None]:
        """Yield text pieces as the scheduler decodes them; leaving the loop early (disconnect)
        drops the request's row at the next decoding step."""
        await self.load()
        self.resolve_adapter(request.adapter)
        self._check_prompt(request)
        # streamers cannot follow beams or several sequences: one greedy/sampled sequence
        request = msgspec.structs.replace(
            request, params=msgspec.structs.replace(request.params, num_beams=1, num_return_sequences=1)
        )
        loop = asyncio.get_running_loop()
        tokens: asyncio.Queue[int] = asyncio.Queue()

        def on_token(token: int) -> None:  # on the model's thread
            loop.call_soon_threadsafe(tokens.put_nowait, token)

        job = self._submit_slice(request, on_token)
        self.stats.streams += 1
        counter = self._require().counter
        ids: list[int] = []
        emitted = ""

        def delta(final: bool = False) -> str:
            nonlocal emitted
            text = counter.decode(ids, skip_special_tokens=True)
            if text.endswith("\ufffd") and not final:  # half a multi-byte character: wait for the rest
                return ""
            piece, emitted = text[len(emitted) :], text
            return piece

        try:
            while True:
                getter: asyncio.Future[Any] = asyncio.ensure_future(tokens.get())
                waiting: set[asyncio.Future[Any]] = {getter, job.future}
                finished, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if getter in finished:
                    ids.append(getter.result())
                    if piece := delta():
                        yield piece
                    continue
                getter.cancel()
                while not tokens.empty():
                    ids.append(tokens.get_nowait())
                if piece := delta(final=True):
                    yield piece
                break
            job.future.result()  # the scheduler's error, if any
            self.stats.generated_tokens += len(job.generated)
        except TutorError:
            raise
        except Exception as exc:  # the model failing mid-way
            log.warning("LLM stream failed: %s", type(exc).__name__)
            raise ServiceUnavailableError(
                f"The language model failed while streaming ({type(exc).__name__}).", retry_after=5
            ) from exc
        finally:
            if not job.future.done():
                job.cancel.set()
                self.stats.streams_cancelled += 1
            self.stats.last_stream_steps = len(job.generated)

    async def close(self) -> None:
        await self._scheduler.close()
        await self._batcher.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
