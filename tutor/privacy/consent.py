"""Guardian consent per learner and purpose: the checks other areas call before processing.

Consent is recorded by school staff on the guardian's behalf (the guardian-facing flow is out of scope);
every grant and revocation is an audit event. Rows are never deleted while the learner exists: a
revocation sets ``revoked_at`` so the history of what was allowed when stays answerable.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.auth.principal import Principal
from tutor.db.models.consent import CONSENT_PURPOSES, LearnerConsent
from tutor.errors import ForbiddenError, NotFoundError, UnprocessableError

__all__ = [
    "PURPOSE_LABELS",
    "consent_history",
    "grant_consent",
    "has_consent",
    "learners_with_consent",
    "require_consent",
    "revoke_consent",
]

PURPOSE_LABELS: Final[dict[str, str]] = {
    "tutoring": "tutoring",
    "model_training": "training the tutoring model",
    "analytics": "learning analytics",
}


def _check_purpose(purpose: str) -> None:
    if purpose not in CONSENT_PURPOSES:
        raise UnprocessableError(
            f"Unknown consent purpose {purpose!r}; use one of: {', '.join(CONSENT_PURPOSES)}.",
            purposes=list(CONSENT_PURPOSES),
        )


async def _active(session: AsyncSession, learner_id: UUID, purpose: str) -> LearnerConsent | None:
    return await session.scalar(
        select(LearnerConsent).where(
            LearnerConsent.learner_id == learner_id,
            LearnerConsent.purpose == purpose,
            LearnerConsent.revoked_at.is_(None),
        )
    )


async def has_consent(session: AsyncSession, learner_id: UUID, purpose: str) -> bool:
    _check_purpose(purpose)
    return await _active(session, learner_id, purpose) is not None


async def require_consent(session: AsyncSession, learner_id: UUID, purpose: str) -> None:
    """Raise a 403 problem unless a guardian's consent for ``purpose`` is on record and not revoked."""
    if not await has_consent(session, learner_id, purpose):
        raise ForbiddenError(
            f"No guardian consent for {PURPOSE_LABELS[purpose]} is on record for this learner, so their data "
            "cannot be used for it. A teacher or the school administrator can record the consent.",
            code="consent_required",
            purpose=purpose,
        )


async def learners_with_consent(session: AsyncSession, purpose: str) -> list[UUID]:
    """Learners whose data may be used for ``purpose`` now (model training selects only these)."""
    _check_purpose(purpose)
    rows = await session.scalars(
        select(LearnerConsent.learner_id)
        .where(LearnerConsent.purpose == purpose, LearnerConsent.revoked_at.is_(None))
        .order_by(LearnerConsent.learner_id)
    )
    return list(rows)


async def consent_history(session: AsyncSession, learner_id: UUID) -> list[LearnerConsent]:
    rows = await session.scalars(
        select(LearnerConsent)
        .where(LearnerConsent.learner_id == learner_id)
        .order_by(LearnerConsent.granted_at, LearnerConsent.id)
    )
    return list(rows)


async def grant_consent(
    session: AsyncSession,
    *,
    learner_id: UUID,
    purpose: str,
    guardian_relation: str,
    recorded_by: Principal,
    evidence_ref: str | None = None,
    retention_days: int | None = None,
) -> LearnerConsent:
    """Record a guardian's consent; an earlier active consent for the purpose is superseded."""
    _check_purpose(purpose)
    now = datetime.now(UTC)
    previous = await _active(session, learner_id, purpose)
    if previous is not None:
        previous.revoked_at = now
        previous.revoked_by = recorded_by.id
        await session.flush()
    consent = LearnerConsent(
        learner_id=learner_id,
        purpose=purpose,
        guardian_relation=guardian_relation,
        evidence_ref=evidence_ref,
        granted_at=now,
        granted_by=recorded_by.id,
        retention_days=retention_days,
    )
    session.add(consent)
    await session.flush()
    await record_event(
        session,
        kind=kinds.CONSENT_CHANGED,
        actor_id=recorded_by.id,
        actor_role=recorded_by.role,
        learner_id=learner_id,
        school_id=recorded_by.school_id,
        payload={
            "action": "granted",
            "purpose": purpose,
            "consent_id": consent.id,
            "guardian_relation": guardian_relation,
            "retention_days": retention_days,
            "supersedes": None if previous is None else previous.id,
        },
    )
    return consent


async def revoke_consent(
    session: AsyncSession, *, learner_id: UUID, purpose: str, revoked_by: Principal
) -> LearnerConsent:
    """Withdraw consent for ``purpose``; processing for it is refused from this transaction on."""
    _check_purpose(purpose)
    consent = await _active(session, learner_id, purpose)
    if consent is None:
        raise NotFoundError(f"This learner has no active consent for {PURPOSE_LABELS[purpose]} to revoke.")
    consent.revoked_at = datetime.now(UTC)
    consent.revoked_by = revoked_by.id
    await session.flush()
    await record_event(
        session,
        kind=kinds.CONSENT_CHANGED,
        actor_id=revoked_by.id,
        actor_role=revoked_by.role,
        learner_id=learner_id,
        school_id=revoked_by.school_id,
        payload={"action": "revoked", "purpose": purpose, "consent_id": consent.id},
    )
    return consent
