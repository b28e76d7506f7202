"""Class and enrolment shapes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

__all__ = ["ClassIn", "ClassOut", "EnrolIn", "EnrolOut", "LearnerOut", "NewLearner", "UnenrolOut"]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class ClassIn(msgspec.Struct):
    name: Name
    teacher_id: UUID | None = None
    """Admins create classes for a teacher of their school; a teacher's own id is used otherwise."""
    target_p_correct: Annotated[float, msgspec.Meta(gt=0.3, lt=0.95)] = 0.7


class ClassOut(msgspec.Struct):
    id: UUID
    name: str
    teacher_id: UUID
    target_p_correct: float


class NewLearner(msgspec.Struct):
    username: Annotated[str, msgspec.Meta(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    display_name: Name
    password: Annotated[str, msgspec.Meta(min_length=8, max_length=256)]


class EnrolIn(msgspec.Struct):
    learner_ids: Annotated[list[UUID], msgspec.Meta(max_length=200)] = []
    new_learners: Annotated[list[NewLearner], msgspec.Meta(max_length=200)] = []


class LearnerOut(msgspec.Struct):
    id: UUID
    username: str
    display_name: str


class EnrolOut(msgspec.Struct):
    class_id: UUID
    enrolled: list[LearnerOut]


class UnenrolOut(msgspec.Struct):
    class_id: UUID
    learner_id: UUID
