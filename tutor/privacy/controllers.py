"""``/v1/learners/{id}``: erasure, access request (export) and guardian consent."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.auth.access import learner_visible_to
from tutor.auth.guards import requires_roles
from tutor.auth.principal import Principal
from tutor.errors import ForbiddenError
from tutor.privacy.access import LearnerExport, export_learner
from tutor.privacy.consent import consent_history, grant_consent, revoke_consent
from tutor.privacy.erasure import ErasureReport, erase_learner
from tutor.privacy.schemas import ConsentIn, ConsentOut, Purpose, consent_out

__all__ = ["LearnerPrivacyController"]

Req = Request[Principal, Any, Any]


async def _staff_for(session: AsyncSession, principal: Principal, learner_id: UUID) -> None:
    """Consent is managed by the school's admin or a teacher of one of the learner's classes."""
    if not (principal.is_admin or principal.is_teacher):
        raise ForbiddenError("Only the learner's teacher or the school administrator can change consent.")
    await learner_visible_to(session, principal, learner_id)


class LearnerPrivacyController(Controller):
    path = "/v1/learners/{learner_id:uuid}"
    tags = ["privacy"]

    @delete(
        "/",
        status_code=200,
        guards=[requires_roles("admin")],
        summary="Erase a learner and all their data (admin of the learner's school)",
        description="Deletes the account and every row that references it, in one transaction. Audit events "
        "stay (they only ever held a pseudonym, now unlinkable). Returns what was deleted, per table.",
    )
    async def erase(self, request: Req, db_session: AsyncSession, learner_id: UUID) -> ErasureReport:
        return await erase_learner(db_session, learner_id, by=request.user)

    @get(
        "/export",
        guards=[requires_roles("admin", "student")],
        summary="Everything held about a learner, as JSON (access request: the learner or an admin)",
    )
    async def export(self, request: Req, db_session: AsyncSession, learner_id: UUID) -> LearnerExport:
        return await export_learner(db_session, learner_id, by=request.user)

    @get("/consents", summary="Consent records of a learner, newest last (revoked ones included)")
    async def consents(self, request: Req, db_session: AsyncSession, learner_id: UUID) -> list[ConsentOut]:
        principal = request.user
        await learner_visible_to(db_session, principal, learner_id)
        history = [consent_out(c) for c in await consent_history(db_session, learner_id)]
        if principal.id != learner_id:
            await record_event(
                db_session,
                kind=kinds.LEARNER_DATA_READ,
                actor_id=principal.id,
                actor_role=principal.role,
                learner_id=learner_id,
                school_id=principal.school_id,
                payload={"what": "consents"},
            )
        return history

    @post(
        "/consents",
        guards=[requires_roles("admin", "teacher")],
        summary="Record a guardian's consent for a purpose (supersedes an earlier one for it)",
    )
    async def grant(
        self, request: Req, db_session: AsyncSession, learner_id: UUID, data: ConsentIn
    ) -> ConsentOut:
        await _staff_for(db_session, request.user, learner_id)
        consent = await grant_consent(
            db_session,
            learner_id=learner_id,
            purpose=data.purpose,
            guardian_relation=data.guardian_relation,
            evidence_ref=data.evidence_ref,
            retention_days=data.retention_days,
            recorded_by=request.user,
        )
        return consent_out(consent)

    @delete(
        "/consents/{purpose:str}",
        status_code=200,
        guards=[requires_roles("admin", "teacher")],
        summary="Revoke a consent; processing for that purpose stops at once",
    )
    async def revoke(
        self, request: Req, db_session: AsyncSession, learner_id: UUID, purpose: Purpose
    ) -> ConsentOut:
        await _staff_for(db_session, request.user, learner_id)
        return consent_out(
            await revoke_consent(db_session, learner_id=learner_id, purpose=purpose, revoked_by=request.user)
        )
