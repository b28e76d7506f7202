"""Tenancy checks: a student sees only themself, a teacher only their classes, an admin their school.

Resources outside the caller's school answer 404 (their existence is not revealed); inside the school
but not the caller's, 403.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.auth.principal import Principal
from tutor.db.models import Enrolment, SchoolClass, User
from tutor.errors import ForbiddenError, NotFoundError

__all__ = ["class_for_staff", "learner_visible_to"]


async def class_for_staff(session: AsyncSession, principal: Principal, class_id: UUID) -> SchoolClass:
    """The class if the caller teaches it or administers its school."""
    school_class = await session.get(SchoolClass, class_id)
    if school_class is None or school_class.school_id != principal.school_id:
        raise NotFoundError("Class not found.")
    if principal.is_admin or (principal.is_teacher and school_class.teacher_id == principal.id):
        return school_class
    raise ForbiddenError("You can only see classes you teach.")


async def learner_visible_to(session: AsyncSession, principal: Principal, learner_id: UUID) -> User:
    """The learner if the caller is that learner, teaches one of their classes, or is their school's admin."""
    learner = await session.get(User, learner_id)
    if learner is None or learner.role != "student" or learner.school_id != principal.school_id:
        raise NotFoundError("Learner not found.")
    if principal.id == learner_id or principal.is_admin:
        return learner
    if principal.is_teacher:
        teaches = await session.scalar(
            select(
                exists().where(
                    Enrolment.learner_id == learner_id,
                    Enrolment.class_id == SchoolClass.id,
                    SchoolClass.teacher_id == principal.id,
                )
            )
        )
        if teaches:
            return learner
    raise ForbiddenError("You can only see learners in your own classes.")
