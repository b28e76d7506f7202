"""Speech engine settings read from ``TUTOR_*`` variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from adapters.media.engine_state import model_dir_from_env

__all__ = ["SpeechConfig", "SpeechEngineName"]

SpeechEngineName = Literal["openai", "faster"]


@dataclass(frozen=True, slots=True)
class SpeechConfig:
    """Which engine, which weights, and the thresholds that turn silence into an empty transcript."""

    engine: SpeechEngineName = "openai"
    whisper_model: str | None = None
    faster_whisper_model: str | None = None
    faster_compute_type: str = "int8"
    cpu_threads: int = 0
    model_dir: Path = Path("models")
    languages: tuple[str, ...] = ("zh", "en")
    no_speech_threshold: float = 0.6
    vad_threshold: float = 0.5
    max_tokens: int | None = None  # per 30 s window; None keeps whisper's default (224)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> SpeechConfig:
        """Read ``TUTOR_SPEECH_ENGINE``, ``TUTOR_WHISPER_MODEL``, ``TUTOR_FASTER_WHISPER_MODEL``,
        ``TUTOR_FASTER_WHISPER_COMPUTE_TYPE``, ``TUTOR_SPEECH_THREADS``, ``TUTOR_SPEECH_LANGUAGES``,
        ``TUTOR_SPEECH_NO_SPEECH_THRESHOLD``, ``TUTOR_SPEECH_VAD_THRESHOLD``, ``TUTOR_SPEECH_MAX_TOKENS``
        and ``TUTOR_MODEL_DIR``."""
        engine = (env.get("TUTOR_SPEECH_ENGINE") or "openai").strip().lower()
        if engine not in ("openai", "faster"):
            raise ValueError(f"TUTOR_SPEECH_ENGINE must be 'openai' or 'faster', not {engine!r}")
        languages = tuple(
            code.strip() for code in (env.get("TUTOR_SPEECH_LANGUAGES") or "zh,en").split(",") if code.strip()
        )
        return cls(
            engine="faster" if engine == "faster" else "openai",
            whisper_model=env.get("TUTOR_WHISPER_MODEL") or None,
            faster_whisper_model=env.get("TUTOR_FASTER_WHISPER_MODEL") or None,
            faster_compute_type=env.get("TUTOR_FASTER_WHISPER_COMPUTE_TYPE") or "int8",
            cpu_threads=int(env.get("TUTOR_SPEECH_THREADS") or 0),
            model_dir=model_dir_from_env(env),
            languages=languages or ("zh", "en"),
            no_speech_threshold=float(env.get("TUTOR_SPEECH_NO_SPEECH_THRESHOLD") or 0.6),
            vad_threshold=float(env.get("TUTOR_SPEECH_VAD_THRESHOLD") or 0.5),
            max_tokens=int(env["TUTOR_SPEECH_MAX_TOKENS"]) if env.get("TUTOR_SPEECH_MAX_TOKENS") else None,
        )
