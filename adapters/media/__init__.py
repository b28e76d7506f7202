"""Validate and decode uploaded media (images, audio) before any model sees it."""

from __future__ import annotations

from adapters.media.audio import SAMPLE_RATE, decode_audio
from adapters.media.engine_state import EngineHealth, LazyEngine
from adapters.media.image import open_image
from adapters.media.limits import MediaLimits

__all__ = ["SAMPLE_RATE", "EngineHealth", "LazyEngine", "MediaLimits", "decode_audio", "open_image"]
