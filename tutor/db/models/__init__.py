"""All ORM models, imported here so Alembic and the app see one complete metadata."""

from __future__ import annotations

from tutor.db.models.attempts import MODALITIES, Attempt
from tutor.db.models.audit import AuditChainHead, AuditEvent, LearnerPseudonym
from tutor.db.models.classes import Enrolment, SchoolClass
from tutor.db.models.confusion import CONFUSION_SOURCES, ConfusionRecord
from tutor.db.models.consent import CONSENT_PURPOSES, LearnerConsent
from tutor.db.models.curriculum import KnowledgePoint, Prerequisite
from tutor.db.models.dialogues import Dialogue, DialogueTurnRow
from tutor.db.models.items import ANSWER_KINDS, ITEM_ORIGINS, Item, item_knowledge_points
from tutor.db.models.learning import (
    BKTParamVersion,
    ItemCalibration,
    ItemCalibrationInbox,
    LearnerDailyActivity,
    LearnerDailyStats,
    LearnerKpStats,
    WrongAnswerEntry,
    WrongAnswerTally,
)
from tutor.db.models.mastery import Mastery
from tutor.db.models.people import ROLES, ApiKey, School, User
from tutor.db.models.privacy import (
    ContentReview,
    ErasureRecord,
    LoginKnownAddress,
    LoginThrottle,
    PrivacyKey,
    XapiPushState,
)
from tutor.db.models.recognition import RECOGNITION_KINDS, Recognition
from tutor.db.models.training import AdapterActivation, TrainingRun, TrainingRunLearner

__all__ = [
    "ANSWER_KINDS",
    "CONFUSION_SOURCES",
    "CONSENT_PURPOSES",
    "ITEM_ORIGINS",
    "MODALITIES",
    "RECOGNITION_KINDS",
    "ROLES",
    "AdapterActivation",
    "ApiKey",
    "Attempt",
    "AuditChainHead",
    "AuditEvent",
    "BKTParamVersion",
    "ConfusionRecord",
    "ContentReview",
    "Dialogue",
    "DialogueTurnRow",
    "Enrolment",
    "ErasureRecord",
    "Item",
    "ItemCalibration",
    "ItemCalibrationInbox",
    "KnowledgePoint",
    "LearnerConsent",
    "LearnerDailyActivity",
    "LearnerDailyStats",
    "LearnerKpStats",
    "LearnerPseudonym",
    "LoginKnownAddress",
    "LoginThrottle",
    "Mastery",
    "Prerequisite",
    "PrivacyKey",
    "Recognition",
    "School",
    "SchoolClass",
    "TrainingRun",
    "TrainingRunLearner",
    "User",
    "WrongAnswerEntry",
    "WrongAnswerTally",
    "XapiPushState",
    "item_knowledge_points",
]
