"""Both whisper engines through the shared pipeline: real speech is heard, silence and noise are not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from adapters.media import decode_audio
from adapters.speech import (
    FasterWhisperEngine,
    OpenAIWhisperEngine,
    SpeechConfig,
    build_speech_engine,
)
from tests.fixtures.tiny_models import build_tiny_whisper, real_faster_whisper_dir
from tutor.errors import ServiceUnavailableError, UnprocessableError

AUDIO = Path(__file__).resolve().parents[2] / "fixtures" / "audio"


@pytest.fixture(scope="module")
def question() -> np.ndarray:
    # espeak-ng: "What is seven plus five?"
    return decode_audio((AUDIO / "question_en.wav").read_bytes())


@pytest.fixture(scope="module")
def silence() -> np.ndarray:
    return decode_audio((AUDIO / "silence.wav").read_bytes())


@pytest.fixture(scope="module")
def faster() -> FasterWhisperEngine:
    engine = build_speech_engine(
        SpeechConfig(
            engine="faster",
            faster_whisper_model=str(real_faster_whisper_dir()),
            beam_size=1,
            temperatures=(0.0,),
        )
    )
    assert isinstance(engine, FasterWhisperEngine)
    return engine


@pytest.fixture(scope="module")
def tiny_openai(tmp_path_factory: pytest.TempPathFactory) -> OpenAIWhisperEngine:
    path = build_tiny_whisper(tmp_path_factory.mktemp("whisper"))
    return OpenAIWhisperEngine(
        SpeechConfig(engine="openai", whisper_model=str(path), max_tokens=8, beam_size=1, temperatures=(0.0,))
    )


def test_real_model_hears_the_question(faster: FasterWhisperEngine, question: np.ndarray) -> None:
    result = faster.transcribe(question)
    words = result.text.lower()
    assert "plus" in words
    assert "seven" in words or "7" in words
    assert "five" in words or "5" in words
    assert result.speech_detected and result.language == "en"
    assert 0.0 < result.confidence <= 1.0
    assert faster.health().state == "ready"


def test_silence_gives_an_empty_transcript(faster: FasterWhisperEngine, silence: np.ndarray) -> None:
    result = faster.transcribe(silence)
    assert result.text == "" and not result.speech_detected


def test_noise_gives_an_empty_transcript(faster: FasterWhisperEngine) -> None:
    noise = (np.random.default_rng(0).standard_normal(3 * 16_000) * 0.05).astype(np.float32)
    assert faster.transcribe(noise).text == ""


def test_english_only_model_refuses_chinese(faster: FasterWhisperEngine, question: np.ndarray) -> None:
    with pytest.raises(UnprocessableError) as info:
        faster.transcribe(question, "zh")
    assert "English only" in info.value.message


def test_unsupported_language_is_422(tiny_openai: OpenAIWhisperEngine, question: np.ndarray) -> None:
    with pytest.raises(UnprocessableError) as info:
        tiny_openai.transcribe(question, "fr")
    assert "zh, en" in info.value.message


@pytest.mark.parametrize("language", ["en", "zh", None])
def test_openai_engine_runs_the_real_path(
    tiny_openai: OpenAIWhisperEngine, question: np.ndarray, language: str | None
) -> None:
    result = tiny_openai.transcribe(question, language)
    assert result.engine == "openai-whisper"
    assert result.language in ("zh", "en")  # detection is limited to the languages we serve
    if language is not None:
        assert result.language == language
    assert 0.0 <= result.confidence <= 1.0
    assert result.duration_s == pytest.approx(question.shape[0] / 16_000)
    assert tiny_openai.health().state == "ready"


def test_openai_engine_skips_silence_without_decoding(
    tiny_openai: OpenAIWhisperEngine, silence: np.ndarray
) -> None:
    # a random-weight model would invent tokens; the voice-activity check stops it first
    assert tiny_openai.transcribe(silence, "en").text == ""


def test_not_configured_engines_say_what_to_set(question: np.ndarray, tmp_path: Path) -> None:
    empty = {"TUTOR_MODEL_DIR": str(tmp_path)}  # nothing installed there
    default = build_speech_engine(SpeechConfig.from_env(empty))
    assert default.name == "faster-whisper" and default.health().state == "not_configured"
    with pytest.raises(ServiceUnavailableError) as info:
        default.transcribe(question)
    assert "tutor models install" in info.value.message and "TUTOR_FASTER_WHISPER_MODEL" in info.value.message
    openai = build_speech_engine(SpeechConfig.from_env({**empty, "TUTOR_SPEECH_ENGINE": "openai"}))
    with pytest.raises(ServiceUnavailableError) as info:
        openai.ensure_configured()
    assert "TUTOR_WHISPER_MODEL" in info.value.message


def test_whisper_size_name_without_weights_fails_with_a_hint(tmp_path: Path, question: np.ndarray) -> None:
    engine = build_speech_engine(
        SpeechConfig.from_env({"TUTOR_WHISPER_MODEL": "base", "TUTOR_MODEL_DIR": str(tmp_path)})
    )
    with pytest.raises(ServiceUnavailableError) as info:
        engine.transcribe(question)
    assert "tutor models fetch" in info.value.message
    assert engine.health().state == "failed"


def test_bad_engine_name_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="TUTOR_SPEECH_ENGINE"):
        SpeechConfig.from_env({"TUTOR_SPEECH_ENGINE": "cloud"})
