"""Classes: teachers see their own, admins their school's."""

from __future__ import annotations

from uuid import UUID

from advanced_alchemy.filters import LimitOffset
from litestar import Controller, delete, get, post
from litestar.di import Provide
from litestar.pagination import OffsetPagination
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.api.pagination import provide_limit_offset
from tutor.api.types import AuthedRequest
from tutor.auth.access import class_for_staff
from tutor.auth.guards import requires_roles
from tutor.classes import services
from tutor.classes.schemas import ClassIn, ClassOut, EnrolIn, EnrolOut, LearnerOut, UnenrolOut
from tutor.db.models import Enrolment, SchoolClass, User

__all__ = ["ClassController"]

Req = AuthedRequest


def _out(c: SchoolClass) -> ClassOut:
    return ClassOut(id=c.id, name=c.name, teacher_id=c.teacher_id, target_p_correct=c.target_p_correct)


class ClassController(Controller):
    path = "/v1/classes"
    tags = ["classes"]
    guards = [requires_roles("teacher", "admin")]
    dependencies = {"page": Provide(provide_limit_offset, sync_to_thread=False)}

    @post("/", summary="Create a class")
    async def create(self, request: Req, db_session: AsyncSession, data: ClassIn) -> ClassOut:
        return _out(await services.create_class(db_session, request.user, data))

    @get("/", summary="Classes I teach (teacher) or of my school (admin)")
    async def list_classes(
        self, request: Req, db_session: AsyncSession, page: LimitOffset
    ) -> OffsetPagination[ClassOut]:
        query = select(SchoolClass).where(SchoolClass.school_id == request.user.school_id)
        if request.user.is_teacher:
            query = query.where(SchoolClass.teacher_id == request.user.id)
        total = await db_session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = await db_session.scalars(
            query.order_by(SchoolClass.name, SchoolClass.id).limit(page.limit).offset(page.offset)
        )
        return OffsetPagination(
            items=[_out(c) for c in rows], limit=page.limit, offset=page.offset, total=total
        )

    @get("/{class_id:uuid}", summary="One class")
    async def get_class(self, request: Req, db_session: AsyncSession, class_id: UUID) -> ClassOut:
        return _out(await class_for_staff(db_session, request.user, class_id))

    @post("/{class_id:uuid}/learners", summary="Enrol learners (existing or new accounts)")
    async def enrol(self, request: Req, db_session: AsyncSession, class_id: UUID, data: EnrolIn) -> EnrolOut:
        school_class = await class_for_staff(db_session, request.user, class_id)
        learners = await services.enrol_learners(db_session, request.user, school_class, data)
        return EnrolOut(
            class_id=class_id,
            enrolled=[
                LearnerOut(id=u.id, username=u.username, display_name=u.display_name) for u in learners
            ],
        )

    @delete(
        "/{class_id:uuid}/learners/{learner_id:uuid}",
        status_code=200,
        summary="Take a learner out of the class (audited; the account and its data stay)",
    )
    async def unenrol(
        self, request: Req, db_session: AsyncSession, class_id: UUID, learner_id: UUID
    ) -> UnenrolOut:
        school_class = await class_for_staff(db_session, request.user, class_id)
        await services.unenrol_learner(db_session, request.user, school_class, learner_id)
        return UnenrolOut(class_id=class_id, learner_id=learner_id)

    @get("/{class_id:uuid}/learners", summary="Learners of a class")
    async def learners(
        self, request: Req, db_session: AsyncSession, class_id: UUID, page: LimitOffset
    ) -> OffsetPagination[LearnerOut]:
        await class_for_staff(db_session, request.user, class_id)
        query = (
            select(User)
            .join(Enrolment, Enrolment.learner_id == User.id)
            .where(Enrolment.class_id == class_id)
        )
        total = await db_session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = await db_session.scalars(query.order_by(User.username).limit(page.limit).offset(page.offset))
        return OffsetPagination(
            items=[LearnerOut(id=u.id, username=u.username, display_name=u.display_name) for u in rows],
            limit=page.limit,
            offset=page.offset,
            total=total,
        )
