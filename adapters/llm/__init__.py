"""BELLE (BLOOM/LLaMA) + math LoRA behind one engine protocol: local transformers+peft or remote vLLM.

Nothing here imports torch at import time; the local engine loads it lazily on its worker thread.
"""

from __future__ import annotations

from adapters.llm.config import LLMConfig
from adapters.llm.local import LocalEngine
from adapters.llm.params import GenerationParams, Use, defaults_for, validate_params
from adapters.llm.parsing import (
    GeneratedExercise,
    ParsedSolution,
    extract_boxed,
    parse_exercises,
    parse_solution,
)
from adapters.llm.prompting import DialogueTurn, RenderedPrompt, belle_prompt, build_dialogue_prompt, render
from adapters.llm.protocol import LLMEngine
from adapters.llm.remote import RemoteEngine
from adapters.llm.schemas import AdapterRef, EngineHealth, GenerationRequest, GenerationResult

__all__ = [
    "AdapterRef",
    "DialogueTurn",
    "EngineHealth",
    "GeneratedExercise",
    "GenerationParams",
    "GenerationRequest",
    "GenerationResult",
    "LLMConfig",
    "LLMEngine",
    "LocalEngine",
    "ParsedSolution",
    "RemoteEngine",
    "RenderedPrompt",
    "Use",
    "belle_prompt",
    "build_dialogue_prompt",
    "create_engine",
    "defaults_for",
    "extract_boxed",
    "parse_exercises",
    "parse_solution",
    "render",
    "validate_params",
]


def create_engine(config: LLMConfig) -> LLMEngine | None:
    """The engine the settings ask for, not yet loaded; None when no model is configured."""
    if config.missing_setting is not None:
        return None
    if config.engine == "remote":
        return RemoteEngine(config)
    return LocalEngine(config)
