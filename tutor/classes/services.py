"""Creating classes and enrolling learners (tenancy checked here, not in the controller)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.auth.passwords import hash_password
from tutor.auth.principal import Principal
from tutor.classes.schemas import ClassIn, EnrolIn
from tutor.db.models import Enrolment, SchoolClass, User
from tutor.errors import ConflictError, UnprocessableError

__all__ = ["create_class", "enrol_learners"]


async def create_class(session: AsyncSession, principal: Principal, data: ClassIn) -> SchoolClass:
    teacher_id = principal.id if principal.is_teacher else data.teacher_id
    if teacher_id is None:
        raise UnprocessableError("teacher_id is required when an admin creates a class.", field="teacher_id")
    teacher = await session.get(User, teacher_id)
    if teacher is None or teacher.school_id != principal.school_id or teacher.role != "teacher":
        raise UnprocessableError("teacher_id must be a teacher of your school.", field="teacher_id")
    school_class = SchoolClass(
        school_id=principal.school_id,
        teacher_id=teacher_id,
        name=data.name,
        target_p_correct=data.target_p_correct,
    )
    session.add(school_class)
    await session.flush()
    return school_class


async def enrol_learners(session: AsyncSession, school_class: SchoolClass, data: EnrolIn) -> list[User]:
    """Enrol existing learners of the school and/or create new learner accounts; all or nothing."""
    if not data.learner_ids and not data.new_learners:
        raise UnprocessableError("Give learner_ids or new_learners.")
    learners: list[User] = []
    if data.learner_ids:
        rows = (await session.scalars(select(User).where(User.id.in_(data.learner_ids)))).all()
        found = {u.id: u for u in rows if u.school_id == school_class.school_id and u.role == "student"}
        missing = [str(i) for i in data.learner_ids if i not in found]
        if missing:
            raise UnprocessableError(
                "Some learner_ids are not students of this school.", field="learner_ids", unknown=missing
            )
        learners.extend(found.values())
    if data.new_learners:
        usernames = [n.username for n in data.new_learners]
        if len(set(usernames)) != len(usernames):
            raise UnprocessableError("new_learners contains a username twice.", field="new_learners")
        taken = (await session.scalars(select(User.username).where(User.username.in_(usernames)))).all()
        if taken:
            raise ConflictError("These usernames are already taken.", usernames=sorted(taken))
        for new in data.new_learners:
            user = User(
                school_id=school_class.school_id,
                role="student",
                username=new.username,
                display_name=new.display_name,
                password_hash=hash_password(new.password),
            )
            session.add(user)
            learners.append(user)
        await session.flush()
    await session.execute(
        insert(Enrolment)
        .values([{"class_id": school_class.id, "learner_id": u.id} for u in learners])
        .on_conflict_do_nothing()
    )
    return learners


async def class_learner_ids(session: AsyncSession, class_id: UUID) -> list[UUID]:
    return list(
        (await session.scalars(select(Enrolment.learner_id).where(Enrolment.class_id == class_id))).all()
    )


__all__ += ["class_learner_ids"]
