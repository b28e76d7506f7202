"""The port every LLM engine implements (local transformers+peft, remote OpenAI-compatible)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from adapters.llm.schemas import AdapterRef, EngineHealth, GenerationRequest, GenerationResult

__all__ = ["LLMEngine"]


@runtime_checkable
class LLMEngine(Protocol):
    """A model-owning engine in the TGI/vLLM style: load once, answer many.

    ``generate`` batches concurrent callers; ``stream`` yields text pieces and stops generating when
    the consumer stops iterating (client disconnect).
    """

    name: str

    async def load(self) -> None:
        """Load weights (idempotent); raise ``ServiceUnavailableError`` when impossible."""
        ...

    def health(self) -> EngineHealth:
        """Cheap status for a health route; never loads anything."""
        ...

    def resolve_adapter(self, adapter: str | None) -> AdapterRef | None:
        """Which adapter a request naming ``adapter`` gets; 422 for an unknown one."""
        ...

    async def ensure_adapter(self, name: str, version: str, path: Path) -> AdapterRef:
        """Make ``name@version`` (saved at ``path``) servable; afterwards ``resolve_adapter`` knows its
        key. 503 when it cannot be loaded (too many adapters, missing files, not on the server)."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes in this model's vocabulary (an upper bound where unknown)."""
        ...

    async def generate(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        """One result per request, in order."""
        ...

    def stream(self, request: GenerationRequest) -> AsyncGenerator[str, None]:
        """Text pieces of the first sequence as they are produced."""
        ...

    async def close(self) -> None:
        """Release threads/connections."""
        ...
