"""How a question was said: pitch at the end, pauses, hesitations and speaking rate.

Pitch comes from librosa's probabilistic YIN (``pyin``), energy from its RMS; both on the 16 kHz
speech span the voice-activity check found. The audio is only read here, never kept. These are the
inputs of the confusion heuristic (``tutor.confusion``), not a verdict on their own.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["FILLERS", "Prosody", "measure_prosody", "syllables", "warm_up", "without_fillers"]

_HOP = 320  # 20 ms frames at 16 kHz
_FRAME = 1024
_F0_MIN, _F0_MAX = 65.0, 600.0  # adult men to young children
_PAUSE_MIN_S = 0.3  # a silence this long inside speech counts as a pause
_LONG_PAUSE_S = 0.8  # and this long as a hesitation
_SILENCE_DB = -30.0  # frame energy below the loud frames' level by this much is silence
_END_SHARE = 0.25  # the final quarter of the voiced frames is "the end" for the pitch rise

FILLERS: dict[str, tuple[str, ...]] = {
    "en": ("um", "umm", "uh", "uhh", "er", "erm", "hmm", "mm", "ah"),
    "zh": ("嗯", "呃", "额", "唔", "那个", "就是说", "然后呢"),
}
_EN_WORD = re.compile(r"[a-z]+")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True, slots=True)
class Prosody:
    """Per spoken question. ``final_rise_st``: pitch of the end over the rest, in semitones (None when
    too little was voiced); ``pause_ratio``: pause time over speech time."""

    duration_s: float
    voiced_ratio: float
    final_rise_st: float | None
    pauses: int
    long_pauses: int
    pause_ratio: float
    fillers: int
    syllables_per_s: float | None

    @property
    def hesitations(self) -> int:
        return self.fillers + self.long_pauses


def syllables(text: str, language: str | None) -> int:
    """A syllable count from the transcript: one per Chinese character, vowel groups per English word."""
    count = len(_CJK.findall(text))
    for word in _EN_WORD.findall(text.lower()):
        groups = len(_VOWEL_GROUP.findall(word))
        if word.endswith("e") and groups > 1 and not word.endswith(("le", "ee")):
            groups -= 1  # silent e: "five", "square"
        count += max(1, groups)
    count += sum(1 for ch in text if ch.isdigit())  # a digit is said as about one syllable
    return count


_EN_FILLER_WORDS = re.compile(r"(?i)\b(?:" + "|".join(FILLERS["en"]) + r")\b[,.…]*\s*")
_ZH_FILLER_CHARS = re.compile("(?:" + "|".join(f for f in FILLERS["zh"] if len(f) == 1) + ")[，,。…]*")


def without_fillers(text: str) -> str:
    """The transcript without hesitation sounds (um, uh, 嗯, 呃): they carry no math, only doubt."""
    cleaned = _ZH_FILLER_CHARS.sub("", _EN_FILLER_WORDS.sub("", text))
    return re.sub(r"\s{2,}", " ", cleaned).strip(" ,，")


def _fillers(text: str, language: str | None) -> int:
    lowered = text.lower()
    if language == "zh" or _CJK.search(text):
        return sum(lowered.count(filler) for filler in FILLERS["zh"])
    words = _EN_WORD.findall(lowered)
    return sum(1 for word in words if word in FILLERS["en"])


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, end) frame index pairs of the True runs."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(edges[i]), int(edges[i + 1])) for i in range(0, len(edges), 2)]


def measure_prosody(
    audio: npt.NDArray[np.float32], text: str, language: str | None, sample_rate: int = 16_000
) -> Prosody:
    """Features of ``audio`` (the speech span, 16 kHz mono) and its transcript ``text``."""
    import librosa

    duration = float(audio.shape[0]) / sample_rate
    if audio.shape[0] < _FRAME:
        return Prosody(duration, 0.0, None, 0, 0, 0.0, _fillers(text, language), None)
    f0, voiced, _ = librosa.pyin(
        audio, fmin=_F0_MIN, fmax=_F0_MAX, sr=sample_rate, frame_length=_FRAME, hop_length=_HOP
    )
    rms = librosa.feature.rms(y=audio, frame_length=_FRAME, hop_length=_HOP)[0]
    frames = min(len(rms), len(voiced))
    rms, voiced, f0 = rms[:frames], voiced[:frames], f0[:frames]
    level_db = 20.0 * np.log10(np.maximum(rms, 1e-8))
    loud = float(np.percentile(level_db, 95))
    silent = level_db < loud + _SILENCE_DB

    frame_s = _HOP / sample_rate
    sounding = np.flatnonzero(~silent)
    first, last = (int(sounding[0]), int(sounding[-1]) + 1) if sounding.size else (0, frames)
    pause_runs = [(a, b) for a, b in _runs(silent[first:last]) if a > 0]  # inside the speech only
    pause_lengths = [(b - a) * frame_s for a, b in pause_runs]
    pauses = [length for length in pause_lengths if length >= _PAUSE_MIN_S]
    pause_time = float(sum(pauses))
    speech_time = max((last - first) * frame_s - pause_time, frame_s)

    pitch = f0[voiced & np.isfinite(f0)]
    rise: float | None = None
    if pitch.shape[0] >= 8:
        split = max(1, round(pitch.shape[0] * (1.0 - _END_SHARE)))
        body, end = float(np.median(pitch[:split])), float(np.median(pitch[split:]))
        rise = 12.0 * math.log2(end / body)
    count = syllables(text, language)
    return Prosody(
        duration_s=duration,
        voiced_ratio=float(np.mean(voiced)) if frames else 0.0,
        final_rise_st=rise,
        pauses=len(pauses),
        long_pauses=sum(1 for length in pauses if length >= _LONG_PAUSE_S),
        pause_ratio=pause_time / speech_time,
        fillers=_fillers(text, language),
        syllables_per_s=(count / speech_time) if count else None,
    )


def warm_up() -> None:
    """Run pyin once on a synthetic tone: numba compiles (and caches on disk) librosa's kernels, which
    takes tens of seconds the very first time; done at model load and by ``tutor models install`` so
    no learner's request pays it."""
    t = np.arange(16_000, dtype=np.float32) / 16_000
    measure_prosody((0.3 * np.sin(2 * np.pi * 220.0 * t)).astype(np.float32), "", None)
