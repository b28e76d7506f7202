"""Speech engine settings read from ``TUTOR_*`` variables, with the installed default model as fallback.

With no speech variable set, the engine is faster-whisper on the multilingual Whisper base that
``tutor models install`` puts into the model directory, so a fresh install transcribes Chinese and
English with no configuration. openai-whisper stays available for ``.pt`` checkpoints.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from adapters.media.engine_state import model_dir_from_env
from adapters.speech.guards import GuardThresholds
from adapters.speech.install import whisper_base_dir, whisper_base_installed

__all__ = ["MATH_PROMPTS", "SpeechConfig", "SpeechEngineName"]

SpeechEngineName = Literal["openai", "faster"]

MATH_PROMPTS: dict[str, str] = {
    "zh": "数学作业：解方程2x加7等于15，求y的平方减四分之三。",
    "en": "Math homework: solve 2x plus 7 equals 15, then find y squared minus three quarters.",
}
"""Whisper's initial prompt per language: a short math question in the style we want back (digits,
``x`` and ``y``, simplified characters, which also keeps base from answering in traditional ones).
Its numbers are unusual on purpose, so a decoder that recites the prompt gives itself away
(``guards.prompt_echo``)."""

_DEFAULT_TEMPERATURES = (0.0, 0.4, 0.8)
_SPEECH_VARIABLES = ("TUTOR_SPEECH_ENGINE", "TUTOR_WHISPER_MODEL", "TUTOR_FASTER_WHISPER_MODEL")


@dataclass(frozen=True, slots=True)
class SpeechConfig:
    """Which engine, which weights, how to decode, and the thresholds that keep out invented text."""

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
    beam_size: int = 5
    temperatures: tuple[float, ...] = _DEFAULT_TEMPERATURES
    """Whisper's fallback: decode again at the next temperature while the compression ratio or the
    log-probability is past its threshold (three steps, not whisper's six, to bound the cost on CPU)."""
    guards: GuardThresholds = field(default_factory=GuardThresholds)
    prompts: Mapping[str, str] = field(default_factory=lambda: dict(MATH_PROMPTS))
    prosody: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> SpeechConfig:
        """Read ``TUTOR_SPEECH_ENGINE``, ``TUTOR_WHISPER_MODEL``, ``TUTOR_FASTER_WHISPER_MODEL``,
        ``TUTOR_FASTER_WHISPER_COMPUTE_TYPE``, ``TUTOR_SPEECH_THREADS``, ``TUTOR_SPEECH_LANGUAGES``,
        ``TUTOR_SPEECH_NO_SPEECH_THRESHOLD``, ``TUTOR_SPEECH_VAD_THRESHOLD``, ``TUTOR_SPEECH_MAX_TOKENS``,
        ``TUTOR_SPEECH_BEAM_SIZE``, ``TUTOR_SPEECH_TEMPERATURES``, ``TUTOR_SPEECH_LOG_PROB_THRESHOLD``,
        ``TUTOR_SPEECH_COMPRESSION_RATIO_THRESHOLD``, ``TUTOR_SPEECH_PROSODY`` and ``TUTOR_MODEL_DIR``.

        With none of the first three set, the installed multilingual base is used (faster-whisper)."""
        model_dir = model_dir_from_env(env)
        engine = (env.get("TUTOR_SPEECH_ENGINE") or "").strip().lower()
        if engine not in ("", "openai", "faster"):
            raise ValueError(f"TUTOR_SPEECH_ENGINE must be 'openai' or 'faster', not {engine!r}")
        whisper_model = env.get("TUTOR_WHISPER_MODEL") or None
        faster_model = env.get("TUTOR_FASTER_WHISPER_MODEL") or None
        if not engine:
            engine = "openai" if whisper_model and not faster_model else "faster"
        if engine == "faster" and faster_model is None and whisper_base_installed(model_dir):
            faster_model = str(whisper_base_dir(model_dir))
        languages = tuple(
            code.strip() for code in (env.get("TUTOR_SPEECH_LANGUAGES") or "zh,en").split(",") if code.strip()
        )
        default_guards = GuardThresholds()
        return cls(
            engine="faster" if engine == "faster" else "openai",
            whisper_model=whisper_model,
            faster_whisper_model=faster_model,
            faster_compute_type=env.get("TUTOR_FASTER_WHISPER_COMPUTE_TYPE") or "int8",
            cpu_threads=int(env.get("TUTOR_SPEECH_THREADS") or 0),
            model_dir=model_dir,
            languages=languages or ("zh", "en"),
            no_speech_threshold=float(env.get("TUTOR_SPEECH_NO_SPEECH_THRESHOLD") or 0.6),
            vad_threshold=float(env.get("TUTOR_SPEECH_VAD_THRESHOLD") or 0.5),
            max_tokens=int(env["TUTOR_SPEECH_MAX_TOKENS"]) if env.get("TUTOR_SPEECH_MAX_TOKENS") else None,
            beam_size=int(env.get("TUTOR_SPEECH_BEAM_SIZE") or 5),
            temperatures=_temperatures(env.get("TUTOR_SPEECH_TEMPERATURES")),
            guards=GuardThresholds(
                log_prob=float(env.get("TUTOR_SPEECH_LOG_PROB_THRESHOLD") or default_guards.log_prob),
                compression_ratio=float(
                    env.get("TUTOR_SPEECH_COMPRESSION_RATIO_THRESHOLD") or default_guards.compression_ratio
                ),
            ),
            prosody=(env.get("TUTOR_SPEECH_PROSODY") or "on").strip().lower()
            not in {"0", "off", "false", "no"},
        )

    @staticmethod
    def explicitly_configured(env: Mapping[str, str]) -> bool:
        """Whether any speech variable is set (else the installed default applies)."""
        return any(env.get(name) for name in _SPEECH_VARIABLES)

    def prompt(self, language: str | None) -> str | None:
        return self.prompts.get(language) if language else None


def _temperatures(raw: str | None) -> tuple[float, ...]:
    if not raw:
        return _DEFAULT_TEMPERATURES
    values = tuple(float(part) for part in raw.split(",") if part.strip())
    if not values or any(not 0.0 <= value <= 1.0 for value in values):
        raise ValueError(f"TUTOR_SPEECH_TEMPERATURES must be comma-separated values in [0, 1], not {raw!r}")
    return values
