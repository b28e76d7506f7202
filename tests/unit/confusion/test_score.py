"""The confusion heuristic: each documented signal moves the score the way its thresholds say."""

from __future__ import annotations

import pytest

from adapters.speech.prosody import Prosody
from tutor.confusion.score import SIGNALS, behaviour_signals, combine, voice_signals


def _prosody(**changes: float | int | None) -> Prosody:
    calm: dict[str, float | int | None] = dict(
        duration_s=2.0,
        voiced_ratio=0.7,
        final_rise_st=-1.5,
        pauses=0,
        long_pauses=0,
        pause_ratio=0.0,
        fillers=0,
        syllables_per_s=4.5,
    )
    calm.update(changes)
    return Prosody(**calm)  # type: ignore[arg-type]


def test_a_calm_question_and_a_first_right_answer_score_zero() -> None:
    assert combine(voice_signals(_prosody())).score == 0.0
    first = combine(behaviour_signals(seconds_since_previous=None, wrong_on_item=0, help_requests=0))
    assert first.score == 0.0 and first.level == "low"
    assert {s.name for s in first.signals} == {"repeated_wrong", "help_requests"}  # answer time unknown


@pytest.mark.parametrize(
    ("changes", "signal"),
    [
        ({"final_rise_st": 6.0}, "final_pitch_rise"),
        ({"fillers": 2, "long_pauses": 1}, "hesitations"),
        ({"pause_ratio": 0.6}, "pause_ratio"),
        ({"syllables_per_s": 1.5}, "slow_speech"),
    ],
)
def test_each_voice_signal_raises_the_score(changes: dict[str, float], signal: str) -> None:
    scored = combine(voice_signals(_prosody(**changes)))
    by_name = {s.name: s for s in scored.signals}
    assert by_name[signal].strength == 1.0
    assert scored.score == pytest.approx(
        SIGNALS[signal].weight / sum(s.weight for s in scored.signals), abs=1e-3
    )


def test_thresholds_map_linearly() -> None:
    spec = SIGNALS["final_pitch_rise"]  # 1 to 5 semitones
    assert [spec.strength(v) for v in (0.0, 1.0, 3.0, 5.0, 9.0)] == [0.0, 0.0, 0.5, 1.0, 1.0]


def test_the_same_item_wrong_three_times_is_high_confusion() -> None:
    levels = [
        combine(behaviour_signals(seconds_since_previous=40.0, wrong_on_item=n, help_requests=0)).level
        for n in (1, 2, 3)
    ]
    assert levels == ["low", "medium", "high"]


def test_unmeasured_features_are_left_out_not_counted_as_calm() -> None:
    scored = combine(voice_signals(_prosody(final_rise_st=None, syllables_per_s=None, fillers=3)))
    assert {s.name for s in scored.signals} == {"hesitations", "pause_ratio"}
    assert scored.score == pytest.approx(0.2 / 0.3, abs=1e-3)
