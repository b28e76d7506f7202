"""Typed requests and results shared by every LLM engine."""

from __future__ import annotations

from typing import Literal

import msgspec

from adapters.llm.params import GenerationParams

__all__ = ["AdapterRef", "EngineHealth", "GenerationRequest", "GenerationResult"]

MAX_PROMPT_CHARS = 16_000


class AdapterRef(msgspec.Struct, frozen=True):
    """A LoRA adapter as it is stored: ``<adapter_dir>/<name>/<version>/``."""

    name: str
    version: str

    @property
    def key(self) -> str:
        """The name peft and vLLM know the adapter by."""
        return f"{self.name}@{self.version}"


class GenerationRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One prompt (already rendered in BELLE format) and how to decode it.

    ``adapter`` is an adapter name (the configured version is used), ``name@version`` (a startup
    version or one loaded with ``ensure_adapter``), or ``None`` for the engine's default adapter;
    ``""`` asks for the bare base model.
    """

    prompt: str
    params: GenerationParams = msgspec.field(default_factory=GenerationParams)
    adapter: str | None = None


class GenerationResult(msgspec.Struct, frozen=True, kw_only=True):
    """Texts for one request (``num_return_sequences`` of them) plus what produced them, for audit."""

    texts: list[str]
    model: str
    adapter: AdapterRef | None
    prompt_tokens: int
    generated_tokens: int
    finish_reason: Literal["stop", "length", "cancelled", "time_limit"] = "stop"
    """``time_limit``: the engine's time limit (``TUTOR_LLM_TIMEOUT_S``) cut the output short."""

    @property
    def text(self) -> str:
        """The first (best) sequence."""
        return self.texts[0]


class EngineHealth(msgspec.Struct, frozen=True, kw_only=True):
    """What a health route shows: loaded or not, and what is loaded."""

    status: Literal["ok", "not_loaded", "loading", "error"]
    engine: str
    model: str
    adapters: list[str] = msgspec.field(default_factory=list)
    device: str | None = None
    dtype: str | None = None
    detail: str | None = None
