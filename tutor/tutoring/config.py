"""Tutoring settings (``TUTOR_DIALOGUE_*``, ``TUTOR_EXERCISES_*``) next to the code that uses them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["TutoringConfig"]


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    return default if raw in (None, "") else int(raw)


@dataclass(frozen=True, slots=True)
class TutoringConfig:
    """Dialogue context budget and bounds on what one request may ask of the model."""

    dialogue_max_turns: int = 3
    dialogue_max_tokens: int = 1024
    max_dialogue_turns_stored: int = 200
    max_message_chars: int = 2000
    max_problem_chars: int = 2000
    exercises_max_count: int = 10

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> TutoringConfig:
        return cls(
            dialogue_max_turns=max(0, _int(env, "TUTOR_DIALOGUE_MAX_TURNS", 3)),
            dialogue_max_tokens=max(64, _int(env, "TUTOR_DIALOGUE_MAX_TOKENS", 1024)),
            max_dialogue_turns_stored=max(2, _int(env, "TUTOR_DIALOGUE_MAX_STORED_TURNS", 200)),
            exercises_max_count=max(1, _int(env, "TUTOR_EXERCISES_MAX_COUNT", 10)),
        )
