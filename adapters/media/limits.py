"""Size limits for uploads, in one place so the API and the decoders agree."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["MediaLimits"]


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """Bounds on what a learner may upload; each is checked before or while decoding."""

    max_image_bytes: int = 5 * 1024 * 1024
    max_image_pixels: int = 4_000_000
    max_audio_bytes: int = 10 * 1024 * 1024
    max_audio_seconds: float = 60.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> MediaLimits:
        """Read ``TUTOR_MAX_IMAGE_BYTES``, ``TUTOR_MAX_IMAGE_PIXELS``, ``TUTOR_MAX_AUDIO_BYTES``,
        ``TUTOR_MAX_AUDIO_SECONDS``."""
        default = cls()
        return cls(
            max_image_bytes=int(env.get("TUTOR_MAX_IMAGE_BYTES") or default.max_image_bytes),
            max_image_pixels=int(env.get("TUTOR_MAX_IMAGE_PIXELS") or default.max_image_pixels),
            max_audio_bytes=int(env.get("TUTOR_MAX_AUDIO_BYTES") or default.max_audio_bytes),
            max_audio_seconds=float(env.get("TUTOR_MAX_AUDIO_SECONDS") or default.max_audio_seconds),
        )
