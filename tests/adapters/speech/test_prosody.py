"""Prosody features on espeak-ng speech whose pitch, pauses, fillers and pace we control (SSML)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from adapters.media import decode_audio
from adapters.speech.prosody import Prosody, measure_prosody, syllables, without_fillers
from adapters.speech.vad import speech_span
from tests.fixtures.speech import espeak, needs_espeak

QUESTION = "What is seven plus five?"


def _speech(wav: bytes) -> npt.NDArray[np.float32]:
    audio = decode_audio(wav)
    span = speech_span(audio)
    assert span is not None
    return audio[span[0] : span[1]]


def _measure(markup: str, text: str = QUESTION, speed: int = 140) -> Prosody:
    return measure_prosody(_speech(espeak(f"<speak>{markup}</speak>", speed=speed, ssml=True)), text, "en")


@needs_espeak
def test_a_rising_end_is_measured_in_semitones() -> None:
    flat = _measure(QUESTION)
    rising = _measure('What is seven plus <prosody pitch="+90%">five</prosody>')
    assert flat.final_rise_st is not None and rising.final_rise_st is not None
    assert flat.final_rise_st < 1.0 < 4.0 < rising.final_rise_st


@needs_espeak
def test_pauses_inside_the_question_are_counted() -> None:
    fluent = _measure(QUESTION)
    halting = _measure('What is <break time="1200ms"/> seven plus <break time="900ms"/> five')
    assert fluent.pauses == 0 and fluent.pause_ratio == 0.0
    assert halting.pauses == 2 and halting.long_pauses == 2 and halting.pause_ratio > 0.5
    assert halting.hesitations == 2


@needs_espeak
def test_speaking_rate_follows_the_pace() -> None:
    slow, fast = _measure(QUESTION, speed=80), _measure(QUESTION, speed=220)
    assert slow.syllables_per_s is not None and fast.syllables_per_s is not None
    assert slow.syllables_per_s < 2.5 < 3.5 < fast.syllables_per_s


def test_fillers_count_as_hesitations_and_are_dropped_before_reading_math() -> None:
    silence = np.zeros(16_000, dtype=np.float32)
    said = measure_prosody(silence, "Um, what is 7 plus, uh, 5?", "en")
    assert said.fillers == 2 and said.hesitations == 2
    assert measure_prosody(silence, "嗯，三加五等于几", "zh").fillers == 1
    assert without_fillers("Um, what is 7 plus, uh, 5?") == "what is 7 plus, 5?"
    assert without_fillers("嗯，三加五等于几") == "三加五等于几"


@pytest.mark.parametrize(
    ("text", "count"), [("What is seven plus five?", 6), ("三加五等于几", 6), ("x squared", 3), ("12", 2)]
)
def test_syllables_from_the_transcript(text: str, count: int) -> None:
    assert syllables(text, None) == count
