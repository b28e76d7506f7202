"""API shapes for consent, erasure and access requests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from tutor.db.models.consent import LearnerConsent

__all__ = ["ConsentIn", "ConsentOut", "Purpose", "consent_out"]

Purpose = Literal["tutoring", "model_training", "analytics"]


class ConsentIn(msgspec.Struct, forbid_unknown_fields=True):
    """A guardian's consent, recorded by staff. ``evidence_ref`` points at the signed form, not a name."""

    purpose: Purpose
    guardian_relation: Literal["parent", "legal_guardian", "learner_adult", "other"]
    evidence_ref: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    retention_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None


class ConsentOut(msgspec.Struct):
    id: UUID
    learner_id: UUID
    purpose: str
    guardian_relation: str
    evidence_ref: str | None
    granted_at: datetime
    granted_by: UUID | None
    retention_days: int | None
    revoked_at: datetime | None
    revoked_by: UUID | None
    active: bool


def consent_out(consent: LearnerConsent) -> ConsentOut:
    return ConsentOut(
        id=consent.id,
        learner_id=consent.learner_id,
        purpose=consent.purpose,
        guardian_relation=consent.guardian_relation,
        evidence_ref=consent.evidence_ref,
        granted_at=consent.granted_at,
        granted_by=consent.granted_by,
        retention_days=consent.retention_days,
        revoked_at=consent.revoked_at,
        revoked_by=consent.revoked_by,
        active=consent.revoked_at is None,
    )
