"""The confusion score: each signal is mapped linearly onto [0, 1] between two documented thresholds
(below ``low`` it counts 0, above ``high`` 1), and the score is the weighted mean of the signals that
were measured. ``level`` is ``high`` from 0.5, ``medium`` from 0.25.

Why these signals (each a standard cue in the tutoring and prosody literature, used here as cues, not
proof): a rising pitch at the end of a statement-like question, filled pauses (um, 嗯) and long
silences, slow speech; answering much slower than usual, the same item answered wrong again and again,
asking for help. The thresholds are starting values to be tuned on a school's own data; the test
suite checks that each signal moves the score the documented way on synthetic speech and attempts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from adapters.speech.prosody import Prosody

__all__ = [
    "HEURISTIC",
    "SIGNALS",
    "ConfusionScore",
    "Signal",
    "SignalSpec",
    "behaviour_signals",
    "combine",
    "voice_signals",
]

Level = Literal["low", "medium", "high"]

HEURISTIC = (
    "heuristic: weighted mean of the measured signals, each mapped linearly onto [0, 1] between fixed "
    "thresholds (tutor/confusion/score.py); level high >= 0.5, medium >= 0.25; not a trained classifier"
)


@dataclass(frozen=True, slots=True)
class SignalSpec:
    name: str
    low: float
    high: float
    weight: float
    unit: str
    what: str

    def strength(self, value: float) -> float:
        if self.high == self.low:
            return 1.0 if value >= self.high else 0.0
        return max(0.0, min(1.0, (value - self.low) / (self.high - self.low)))


_SPECS = (
    SignalSpec("final_pitch_rise", 1.0, 5.0, 0.20, "semitones", "pitch of the last quarter over the rest"),
    SignalSpec("hesitations", 0.0, 3.0, 0.20, "count", "filled pauses (um, 嗯) and silences of 0.8 s+"),
    SignalSpec("pause_ratio", 0.1, 0.5, 0.10, "ratio", "pause time over speaking time (pauses of 0.3 s+)"),
    SignalSpec("slow_speech", 0.5, 2.0, 0.10, "syllables/s", "how far below 3.5 syllables per second"),
    SignalSpec("slow_answer", 60.0, 300.0, 0.15, "seconds", "time since the learner's previous attempt"),
    SignalSpec("repeated_wrong", 1.0, 3.0, 0.35, "count", "wrong answers to this item, this one included"),
    SignalSpec("help_requests", 0.0, 3.0, 0.20, "count", "learner turns in dialogues on this item today"),
)
SIGNALS: dict[str, SignalSpec] = {spec.name: spec for spec in _SPECS}
_SLOW_SPEECH_REFERENCE = 3.5  # syllables per second; conversational speech is about 4-5


@dataclass(frozen=True, slots=True)
class Signal:
    name: str
    value: float
    strength: float
    weight: float


@dataclass(frozen=True, slots=True)
class ConfusionScore:
    score: float
    level: Level
    signals: tuple[Signal, ...]


def _signal(name: str, value: float) -> Signal:
    spec = SIGNALS[name]
    return Signal(name, round(value, 3), round(spec.strength(value), 3), spec.weight)


def voice_signals(prosody: Prosody) -> list[Signal]:
    """Signals from a spoken question; a feature that could not be measured is left out."""
    signals = [
        _signal("hesitations", float(prosody.hesitations)),
        _signal("pause_ratio", prosody.pause_ratio),
    ]
    if prosody.final_rise_st is not None:
        signals.append(_signal("final_pitch_rise", prosody.final_rise_st))
    if prosody.syllables_per_s is not None:
        signals.append(_signal("slow_speech", max(0.0, _SLOW_SPEECH_REFERENCE - prosody.syllables_per_s)))
    return signals


def behaviour_signals(
    *, seconds_since_previous: float | None, wrong_on_item: int, help_requests: int
) -> list[Signal]:
    """Signals from one attempt; the answer time is unknown for a learner's first attempt of a session."""
    signals = [
        _signal("repeated_wrong", float(wrong_on_item)),
        _signal("help_requests", float(help_requests)),
    ]
    if seconds_since_previous is not None:
        signals.append(_signal("slow_answer", seconds_since_previous))
    return signals


def combine(signals: Sequence[Signal]) -> ConfusionScore:
    """The weighted mean of the signals' strengths, in [0, 1]."""
    total = sum(s.weight for s in signals)
    score = round(sum(s.strength * s.weight for s in signals) / total, 3) if total else 0.0
    level: Level = "high" if score >= 0.5 else "medium" if score >= 0.25 else "low"
    return ConfusionScore(score, level, tuple(signals))
