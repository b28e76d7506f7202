"""The speech pipeline shared by both engines: language check, voice activity, segment filtering,
hallucination guards and prosody.

Each engine only supplies ``_decode`` (run whisper on speech-only audio, with temperature fallback and
the language's math prompt, and return its segments); the rules that keep invented text out of
transcripts (``adapters.speech.guards``) live here once.
"""

from __future__ import annotations

import logging
import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from adapters.media.audio import SAMPLE_RATE
from adapters.media.engine_state import EngineHealth, LazyEngine
from adapters.speech.config import SpeechConfig
from adapters.speech.guards import assess
from adapters.speech.prosody import Prosody, measure_prosody, warm_up
from adapters.speech.vad import speech_span
from tutor.errors import UnprocessableError

__all__ = ["Segment", "SpeechEngine", "Transcript", "TranscriptStatus"]

TranscriptStatus = Literal["ok", "low_confidence", "rejected", "no_speech"]
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Segment:
    """One decoded stretch: its text, mean token log-probability and whisper's no-speech probability."""

    text: str
    avg_logprob: float
    no_speech_prob: float
    temperature: float = 0.0


@dataclass(frozen=True, slots=True)
class Transcript:
    """What was heard. ``text`` is empty when no speech was found or the guards rejected what whisper
    produced (``status`` and ``reasons`` say which); ``confidence`` is in [0, 1]."""

    text: str
    language: str | None
    confidence: float
    engine: str
    duration_s: float
    speech_detected: bool
    status: TranscriptStatus = "ok"
    reasons: tuple[str, ...] = ()
    prosody: Prosody | None = None


class SpeechEngine(ABC):
    """Lazy-loaded whisper-family engine; ``transcribe`` blocks, so run it on the inference pool."""

    name: str

    def __init__(self, config: SpeechConfig, missing: str | None) -> None:
        self.config = config
        self._engine: LazyEngine[Any] = LazyEngine("Speech recognition", self._load_with_prosody, missing)

    def health(self) -> EngineHealth:
        return self._engine.health()

    def ensure_configured(self) -> None:
        """503 now when the engine cannot be used, before any work is queued."""
        self._engine.ensure_configured()

    def load(self) -> None:
        """Load the model now (warm-up); otherwise the first transcription does it."""
        self._engine.get()

    def check_language(self, language: str | None) -> str | None:
        """422 for a language this service does not offer; None means detect."""
        if language is None or language == "":
            return None
        code = language.strip().lower()
        if code not in self.config.languages:
            raise UnprocessableError(
                f"Language {language[:16]!r} is not supported; "
                f"use one of {', '.join(self.config.languages)}.",
                allowed_languages=list(self.config.languages),
            )
        return code

    def transcribe(self, audio: npt.NDArray[np.float32], language: str | None = None) -> Transcript:
        """Transcribe 16 kHz mono audio; silence, noise and loops give an empty transcript."""
        code = self.check_language(language)
        model = self._engine.get()
        duration = float(audio.shape[0]) / SAMPLE_RATE
        span = speech_span(audio, threshold=self.config.vad_threshold)
        if span is None:
            return Transcript("", code, 0.0, self.name, duration, False, "no_speech", ("no_voice_activity",))
        speech = np.ascontiguousarray(audio[span[0] : span[1]], dtype=np.float32)
        segments, detected = self._decode(model, speech, code)
        kept = [s for s in segments if s.no_speech_prob <= self.config.no_speech_threshold and s.text.strip()]
        used = code or detected
        if not kept:
            return Transcript("", used, 0.0, self.name, duration, False, "no_speech", ("no_speech_prob",))
        separator = "" if used == "zh" else " "  # Chinese is written without spaces
        text = separator.join(s.text.strip() for s in kept).strip()
        verdict = assess(
            text,
            [s.avg_logprob for s in kept],
            language=used,
            prompt=self.config.prompt(used),
            thresholds=self.config.guards,
        )
        rejected = verdict.status == "rejected"
        return Transcript(
            text="" if rejected else text,
            language=used,
            confidence=0.0 if rejected else _confidence(kept),
            engine=self.name,
            duration_s=duration,
            speech_detected=True,
            status=verdict.status,
            reasons=verdict.reasons,
            prosody=self._prosody(speech, "" if rejected else text, used),
        )

    def _prosody(self, speech: npt.NDArray[np.float32], text: str, language: str | None) -> Prosody | None:
        """Prosody is an extra for the confusion heuristic: when it cannot be measured the transcript
        is still served, without it."""
        if not self.config.prosody:
            return None
        try:
            return measure_prosody(speech, text, language)
        except Exception as exc:  # librosa/numba failures must never cost the learner the transcript
            log.warning("prosody failed: %s", type(exc).__name__)
            return None

    def _load_with_prosody(self) -> Any:
        model = self._load()
        if self.config.prosody:
            try:
                warm_up()
            except Exception as exc:  # prosody is optional; its failure shows up per request as None
                log.warning("prosody warm-up failed: %s", type(exc).__name__)
        return model

    def _pick_language(self, probs: dict[str, float]) -> str:
        """The most likely of the languages we serve (a learner never speaks Welsh to a math tutor)."""
        return max(self.config.languages, key=lambda code: probs.get(code, 0.0))

    @abstractmethod
    def _load(self) -> Any:
        """Load and return the model (called once, on a worker thread)."""

    @abstractmethod
    def _decode(
        self, model: Any, audio: npt.NDArray[np.float32], language: str | None
    ) -> tuple[Sequence[Segment], str | None]:
        """Run the model; return its segments and the language used."""


def _confidence(segments: Sequence[Segment]) -> float:
    if not segments:
        return 0.0
    mean = sum(s.avg_logprob for s in segments) / len(segments)
    return max(0.0, min(1.0, math.exp(mean)))
