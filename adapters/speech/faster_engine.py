"""faster-whisper engine: CTranslate2 weights, int8 on CPU (several times faster than openai-whisper)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from adapters.media.engine_state import resolve_path
from adapters.speech.base import Segment, SpeechEngine
from adapters.speech.config import SpeechConfig
from tutor.errors import UnprocessableError

__all__ = ["FasterWhisperEngine"]


class FasterWhisperEngine(SpeechEngine):
    """``TUTOR_FASTER_WHISPER_MODEL`` is a CTranslate2 model directory (absolute, or inside the model dir)."""

    name = "faster-whisper"

    def __init__(self, config: SpeechConfig) -> None:
        missing = None
        if config.faster_whisper_model is None:
            missing = (
                "run `tutor models install` (multilingual Whisper base into the model directory), "
                "or set TUTOR_FASTER_WHISPER_MODEL to a CTranslate2 whisper model directory "
                "(or TUTOR_SPEECH_ENGINE=openai with TUTOR_WHISPER_MODEL)"
            )
        super().__init__(config, missing)

    def _load(self) -> Any:
        from faster_whisper import WhisperModel

        assert self.config.faster_whisper_model is not None
        path = resolve_path(self.config.faster_whisper_model, self.config.model_dir)
        if not (path / "model.bin").is_file():
            raise FileNotFoundError(f"no CTranslate2 model.bin in {path}")
        return WhisperModel(
            str(path),
            device="cpu",
            compute_type=self.config.faster_compute_type,
            cpu_threads=self.config.cpu_threads,
            local_files_only=True,
        )

    def _decode(
        self, model: Any, audio: npt.NDArray[np.float32], language: str | None
    ) -> tuple[Sequence[Segment], str | None]:
        multilingual = bool(model.model.is_multilingual)
        if not multilingual:
            if language not in (None, "en"):
                raise UnprocessableError(
                    "The configured speech model understands English only.", allowed_languages=["en"]
                )
            language = "en"
        elif language is None:
            _, _, all_probs = model.detect_language(audio)
            language = self._pick_language(dict(all_probs))
        config = self.config
        segments, _info = model.transcribe(
            audio,
            language=language,
            task="transcribe",
            beam_size=config.beam_size,
            best_of=config.beam_size,
            temperature=list(config.temperatures),
            compression_ratio_threshold=config.guards.compression_ratio,
            log_prob_threshold=config.guards.log_prob,
            no_speech_threshold=config.no_speech_threshold,
            initial_prompt=config.prompt(language),
            condition_on_previous_text=False,
            vad_filter=False,  # the shared pipeline already ran Silero VAD
            without_timestamps=True,
            max_new_tokens=config.max_tokens,
        )
        return [
            Segment(s.text, float(s.avg_logprob), float(s.no_speech_prob), float(s.temperature))
            for s in segments
        ], language
