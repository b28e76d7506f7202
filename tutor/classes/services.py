"""Creating classes, enrolling and un-enrolling learners (tenancy and rights checked here).

Enrolment is what lets a teacher read a learner's data and change their consents, so a teacher may
enrol only learners they created themselves or that are already in one of their classes (an admin
put them there); admins enrol any learner of their school. Every enrolment and un-enrolment is audited.
"""

from __future__ import annotations

import asyncio
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.auth.passwords import hash_password_async
from tutor.auth.principal import Principal
from tutor.classes.schemas import ClassIn, EnrolIn
from tutor.db.models import Enrolment, SchoolClass, User
from tutor.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError

__all__ = ["create_class", "enrol_learners", "unenrol_learner"]


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


async def _assigned_to(session: AsyncSession, teacher_id: UUID, learner_ids: list[UUID]) -> set[UUID]:
    """Learners already in a class this teacher teaches (placed there by an admin or the teacher)."""
    rows = await session.scalars(
        select(Enrolment.learner_id)
        .join(SchoolClass, SchoolClass.id == Enrolment.class_id)
        .where(SchoolClass.teacher_id == teacher_id, Enrolment.learner_id.in_(learner_ids))
    )
    return set(rows)


async def enrol_learners(
    session: AsyncSession, principal: Principal, school_class: SchoolClass, data: EnrolIn
) -> list[User]:
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
        if not principal.is_admin:
            assigned = await _assigned_to(session, principal.id, list(found))
            refused = sorted(
                str(u.id) for u in found.values() if u.created_by != principal.id and u.id not in assigned
            )
            if refused:
                raise ForbiddenError(
                    "You can enrol only learners you created or that the school administrator assigned to "
                    "one of your classes. / 只能添加您创建的学生，或管理员已分配到您班级的学生。",
                    field="learner_ids",
                    refused=refused,
                )
        learners.extend(found.values())
    if data.new_learners:
        usernames = [n.username for n in data.new_learners]
        if len(set(usernames)) != len(usernames):
            raise UnprocessableError("new_learners contains a username twice.", field="new_learners")
        taken = (
            await session.scalars(
                select(User.username).where(
                    User.school_id == school_class.school_id, User.username.in_(usernames)
                )
            )
        ).all()
        if taken:
            raise ConflictError("These usernames are already taken in your school.", usernames=sorted(taken))
        # argon2 off the event loop, the class's hashes in parallel (tutor.auth.passwords)
        hashes = await asyncio.gather(*(hash_password_async(n.password) for n in data.new_learners))
        for new, password_hash in zip(data.new_learners, hashes, strict=True):
            user = User(
                school_id=school_class.school_id,
                role="student",
                username=new.username,
                display_name=new.display_name,
                password_hash=password_hash,
                created_by=principal.id,
            )
            session.add(user)
            learners.append(user)
        await session.flush()
    added = await session.scalars(
        insert(Enrolment)
        .values([{"class_id": school_class.id, "learner_id": u.id} for u in learners])
        .on_conflict_do_nothing()
        .returning(Enrolment.learner_id)
    )
    for learner_id in sorted(added.all()):
        await record_event(
            session,
            kind=kinds.ENROLMENT_ADDED,
            actor_id=principal.id,
            actor_role=principal.role,
            learner_id=learner_id,
            school_id=school_class.school_id,
            payload={"class_id": school_class.id, "learner_id": learner_id},
        )
    return learners


async def unenrol_learner(
    session: AsyncSession, principal: Principal, school_class: SchoolClass, learner_id: UUID
) -> None:
    """Take a learner out of a class (the account and its data stay); audited."""
    result = await session.execute(
        delete(Enrolment)
        .where(Enrolment.class_id == school_class.id, Enrolment.learner_id == learner_id)
        .returning(Enrolment.learner_id)
    )
    if result.first() is None:
        raise NotFoundError("This learner is not in this class.")
    await record_event(
        session,
        kind=kinds.ENROLMENT_REMOVED,
        actor_id=principal.id,
        actor_role=principal.role,
        learner_id=learner_id,
        school_id=school_class.school_id,
        payload={"class_id": school_class.id, "learner_id": learner_id},
    )


async def class_learner_ids(session: AsyncSession, class_id: UUID) -> list[UUID]:
    return list(
        (await session.scalars(select(Enrolment.learner_id).where(Enrolment.class_id == class_id))).all()
    )


__all__ += ["class_learner_ids"]
