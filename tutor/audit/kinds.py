"""Audit event kinds: one constant per kind so callers and the export agree on spelling."""

from __future__ import annotations

from typing import Final

__all__ = [
    "ADAPTER_ACTIVATED",
    "ADAPTER_ROLLED_BACK",
    "AI_CONTENT_APPROVED",
    "AI_CONTENT_EDITED",
    "AI_CONTENT_REJECTED",
    "ALL_KINDS",
    "ATTEMPT_RECORDED",
    "AUTH_DENIED",
    "AUTH_LOGIN",
    "CONSENT_CHANGED",
    "ENROLMENT_ADDED",
    "ENROLMENT_REMOVED",
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
    "RECOGNITION_CORRECTED",
    "RETENTION_RUN",
    "SERVICE_KEY_CREATED",
    "SERVICE_KEY_REVOKED",
    "SERVICE_KEY_USED",
    "SESSION_COMPLETED",
    "SOLVER_OUTPUT_SOLUTION",
    "TEMPLATE_OUTPUT_EXERCISE",
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
SERVICE_KEY_CREATED: Final = "service_key.created"
SERVICE_KEY_REVOKED: Final = "service_key.revoked"
SERVICE_KEY_USED: Final = "service_key.used"
ENROLMENT_ADDED: Final = "enrolment.added"
ENROLMENT_REMOVED: Final = "enrolment.removed"
SOLVER_OUTPUT_SOLUTION: Final = "solver_output.solution"  # a symbolic solution served to someone
TEMPLATE_OUTPUT_EXERCISE: Final = "template_output.exercise"  # exercises made by the template engine
RECOGNITION_CORRECTED: Final = "recognition.corrected"  # the learner confirmed (maybe edited) a recognition
AI_CONTENT_REJECTED: Final = "ai_content.rejected"  # a teacher rejected AI content in the review queue
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
        SERVICE_KEY_CREATED,
        SERVICE_KEY_REVOKED,
        SERVICE_KEY_USED,
        ENROLMENT_ADDED,
        ENROLMENT_REMOVED,
        SOLVER_OUTPUT_SOLUTION,
        TEMPLATE_OUTPUT_EXERCISE,
        RECOGNITION_CORRECTED,
        AI_CONTENT_REJECTED,
        *LEARNING_KINDS,
    }
)
"""Known kinds; ``record_event`` also accepts other dotted lowercase kinds so new areas need no edit here."""
