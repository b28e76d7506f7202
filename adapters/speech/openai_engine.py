"""openai-whisper engine: ``whisper.load_model`` on a name (weights already in the model dir) or a path."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from adapters.media.engine_state import resolve_path
from adapters.speech.base import Segment, SpeechEngine
from adapters.speech.config import SpeechConfig

__all__ = ["OpenAIWhisperEngine", "whisper_checkpoint"]


def whisper_checkpoint(config: SpeechConfig) -> Path | None:
    """The checkpoint file ``TUTOR_WHISPER_MODEL`` points at: a published size name resolves to
    ``<model dir>/whisper/<file>`` (where ``tutor models fetch`` puts it), anything else is a path."""
    raw = config.whisper_model
    if raw is None:
        return None
    import whisper

    url = whisper._MODELS.get(raw)
    if url is not None:
        return config.model_dir / "whisper" / Path(url).name
    return resolve_path(raw, config.model_dir)


class OpenAIWhisperEngine(SpeechEngine):
    """Reference engine. Decoding is serialised: whisper installs kv-cache hooks on the shared model."""

    name = "openai-whisper"

    def __init__(self, config: SpeechConfig) -> None:
        missing = None
        if config.whisper_model is None:
            missing = (
                "set TUTOR_WHISPER_MODEL to a whisper size name (e.g. 'base', fetched with "
                "`tutor models fetch --whisper base`) or to the absolute path of a .pt checkpoint"
            )
        super().__init__(config, missing)
        self._decode_lock = threading.Lock()

    def _load(self) -> Any:
        import whisper

        path = whisper_checkpoint(self.config)
        if path is None or not path.is_file():
            raise FileNotFoundError(f"whisper checkpoint not found at {path} (run `tutor models fetch`)")
        return whisper.load_model(str(path), device="cpu", in_memory=True)

    def _decode(
        self, model: Any, audio: npt.NDArray[np.float32], language: str | None
    ) -> tuple[Sequence[Segment], str | None]:
        import whisper

        with self._decode_lock:
            if language is None:
                if model.is_multilingual:
                    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(audio), model.dims.n_mels)
                    _, probs = model.detect_language(mel)
                    language = self._pick_language(probs)
                else:
                    language = "en"
            config = self.config
            extra: dict[str, Any] = {}
            if config.max_tokens is not None:
                extra["sample_len"] = config.max_tokens
            if config.beam_size > 1:
                extra.update(beam_size=config.beam_size, best_of=config.beam_size)
            result = model.transcribe(
                audio,
                language=language,
                task="transcribe",
                temperature=tuple(config.temperatures),
                compression_ratio_threshold=config.guards.compression_ratio,
                logprob_threshold=config.guards.log_prob,
                no_speech_threshold=config.no_speech_threshold,
                initial_prompt=config.prompt(language),
                condition_on_previous_text=False,
                fp16=False,
                verbose=None,
                **extra,
            )
        segments = [
            Segment(
                str(s["text"]), float(s["avg_logprob"]), float(s["no_speech_prob"]), float(s["temperature"])
            )
            for s in result["segments"]
        ]
        return segments, language
