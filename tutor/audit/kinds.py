"""Audit event kinds: one constant per kind so callers and the export agree on spelling."""

from __future__ import annotations

from typing import Final

__all__ = [
    "ADAPTER_ACTIVATED",
    "ADAPTER_ROLLED_BACK",
    "AI_CONTENT_APPROVED",
    "AI_CONTENT_EDITED",
    "ALL_KINDS",
    "ATTEMPT_RECORDED",
    "AUTH_DENIED",
    "AUTH_LOGIN",
    "CONSENT_CHANGED",
    "EXPORT",
    "ITEM_EDITED",
    "LEARNER_DATA_READ",
    "LEARNER_ERASED",
    "LEARNING_KINDS",
    "MASTERY_REACHED",
    "MODEL_OUTPUT_DIALOGUE_TURN",
    "MODEL_OUTPUT_EXERCISE",
    "MODEL_OUTPUT_HINT",
    "MODEL_OUTPUT_RECOGNITION",
    "MODEL_OUTPUT_SOLUTION",
    "MODEL_TRAINING_RUN",
    "RETENTION_RUN",
    "SESSION_COMPLETED",
]

MODEL_OUTPUT_SOLUTION: Final = "model_output.solution"
MODEL_OUTPUT_HINT: Final = "model_output.hint"
MODEL_OUTPUT_DIALOGUE_TURN: Final = "model_output.dialogue_turn"
MODEL_OUTPUT_EXERCISE: Final = "model_output.exercise"
MODEL_OUTPUT_RECOGNITION: Final = "model_output.recognition"
ITEM_EDITED: Final = "item.edited"
AI_CONTENT_EDITED: Final = "ai_content.edited"
AI_CONTENT_APPROVED: Final = "ai_content.approved"  # a teacher approved a tutor turn (training data)
LEARNER_DATA_READ: Final = "learner_data.read"
EXPORT: Final = "export"
AUTH_LOGIN: Final = "auth.login"
AUTH_DENIED: Final = "auth.denied"
CONSENT_CHANGED: Final = "consent.changed"
LEARNER_ERASED: Final = "learner.erased"
ADAPTER_ACTIVATED: Final = "adapter.activated"
ADAPTER_ROLLED_BACK: Final = "adapter.rolled_back"
MODEL_TRAINING_RUN: Final = "model.training_run"
RETENTION_RUN: Final = "retention.run"
# Learning events: these become xAPI statements (answered, completed, mastered).
ATTEMPT_RECORDED: Final = "attempt.recorded"
SESSION_COMPLETED: Final = "session.completed"
MASTERY_REACHED: Final = "mastery.reached"

LEARNING_KINDS: Final = frozenset({ATTEMPT_RECORDED, SESSION_COMPLETED, MASTERY_REACHED})

ALL_KINDS: Final = frozenset(
    {
        MODEL_OUTPUT_SOLUTION,
        MODEL_OUTPUT_HINT,
        MODEL_OUTPUT_DIALOGUE_TURN,
        MODEL_OUTPUT_EXERCISE,
        MODEL_OUTPUT_RECOGNITION,
        ITEM_EDITED,
        AI_CONTENT_EDITED,
        AI_CONTENT_APPROVED,
        LEARNER_DATA_READ,
        EXPORT,
        AUTH_LOGIN,
        AUTH_DENIED,
        CONSENT_CHANGED,
        LEARNER_ERASED,
        ADAPTER_ACTIVATED,
        ADAPTER_ROLLED_BACK,
        MODEL_TRAINING_RUN,
        RETENTION_RUN,
        *LEARNING_KINDS,
    }
)
"""Known kinds; ``record_event`` also accepts other dotted lowercase kinds so new areas need no edit here."""
