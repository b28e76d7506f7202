"""Spoken questions to text: openai-whisper or faster-whisper behind one small interface."""

from __future__ import annotations

from adapters.speech.base import Segment, SpeechEngine, Transcript
from adapters.speech.config import SpeechConfig, SpeechEngineName
from adapters.speech.faster_engine import FasterWhisperEngine
from adapters.speech.openai_engine import OpenAIWhisperEngine

__all__ = [
    "FasterWhisperEngine",
    "OpenAIWhisperEngine",
    "Segment",
    "SpeechConfig",
    "SpeechEngine",
    "SpeechEngineName",
    "Transcript",
    "build_speech_engine",
]


def build_speech_engine(config: SpeechConfig) -> SpeechEngine:
    """The engine ``TUTOR_SPEECH_ENGINE`` selects (nothing is loaded yet)."""
    if config.engine == "faster":
        return FasterWhisperEngine(config)
    return OpenAIWhisperEngine(config)
