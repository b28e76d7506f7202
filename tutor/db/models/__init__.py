"""All ORM models, imported here so Alembic and the app see one complete metadata."""

from __future__ import annotations

from tutor.db.models.attempts import MODALITIES, Attempt
from tutor.db.models.classes import Enrolment, SchoolClass
from tutor.db.models.curriculum import KnowledgePoint, Prerequisite
from tutor.db.models.items import ANSWER_KINDS, ITEM_ORIGINS, Item, item_knowledge_points
from tutor.db.models.mastery import Mastery
from tutor.db.models.people import ROLES, ApiKey, School, User

__all__ = [
    "ANSWER_KINDS",
    "ITEM_ORIGINS",
    "MODALITIES",
    "ROLES",
    "ApiKey",
    "Attempt",
    "Enrolment",
    "Item",
    "KnowledgePoint",
    "Mastery",
    "Prerequisite",
    "School",
    "SchoolClass",
    "User",
    "item_knowledge_points",
]
