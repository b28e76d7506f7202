"""Stream a scope's xAPI statements from PostgreSQL in constant memory (export and LRS push).

The scope is a school (optionally one class), a time range, and only learners whose guardian consented
to *analytics*: sending learning records to an LRS is learning analytics.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit import kinds, xapi
from tutor.db.models import (
    Attempt,
    AuditEvent,
    Dialogue,
    DialogueTurnRow,
    Enrolment,
    LearnerConsent,
    LearnerKpStats,
    LearnerPseudonym,
    Mastery,
    User,
)

__all__ = ["XapiScope", "scope_learners", "stream_statements"]

BATCH = 1000


@dataclass(frozen=True, slots=True)
class XapiScope:
    school_id: UUID | None
    """None: every school (the deployment's LRS push)."""
    class_id: UUID | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


def scope_learners(scope: XapiScope) -> Select[Any]:
    """Learners in the scope with an active analytics consent."""
    stmt = select(User.id).where(
        User.role == "student",
        exists().where(
            LearnerConsent.learner_id == User.id,
            LearnerConsent.purpose == "analytics",
            LearnerConsent.revoked_at.is_(None),
        ),
    )
    if scope.school_id is not None:
        stmt = stmt.where(User.school_id == scope.school_id)
    if scope.class_id is not None:
        stmt = stmt.where(
            User.id.in_(select(Enrolment.learner_id).where(Enrolment.class_id == scope.class_id))
        )
    return stmt


def _between(column: Any, scope: XapiScope) -> ColumnElement[bool]:
    parts = []
    if scope.occurred_from is not None:
        parts.append(column >= scope.occurred_from)
    if scope.occurred_to is not None:
        parts.append(column < scope.occurred_to)
    return and_(True, *parts)


async def _rows(session: AsyncSession, stmt: Any) -> AsyncIterator[Any]:
    result = await session.stream(stmt.execution_options(yield_per=BATCH))
    try:
        async for row in result:
            yield row
    finally:
        await result.close()


async def stream_statements(
    session: AsyncSession, scope: XapiScope, *, home_page: str
) -> AsyncIterator[dict[str, Any]]:
    """Every statement of the scope: attempts, masteries, hints, dialogues and the learner's turns."""
    learners = scope_learners(scope).subquery()
    pseudonym = LearnerPseudonym.pseudonym
    by_learner = LearnerPseudonym.learner_id
    async for a_id, item_id, correct, modality, at, name in _rows(
        session,
        select(
            Attempt.id, Attempt.item_id, Attempt.is_correct, Attempt.modality, Attempt.created_at, pseudonym
        )
        .join(LearnerPseudonym, by_learner == Attempt.learner_id)
        .where(Attempt.learner_id.in_(select(learners.c.id)), _between(Attempt.created_at, scope))
        .order_by(Attempt.created_at, Attempt.id),
    ):
        yield xapi.answered(
            attempt_id=a_id, pseudonym=name, item_id=item_id, correct=correct, modality=modality, at=at,
            home_page=home_page,
        )  # fmt: skip
    async for kp, at, p_known, name in _rows(
        session,
        select(LearnerKpStats.kp_code, LearnerKpStats.mastered_at, Mastery.p_known, pseudonym)
        .join(LearnerPseudonym, by_learner == LearnerKpStats.learner_id)
        .outerjoin(
            Mastery,
            and_(Mastery.learner_id == LearnerKpStats.learner_id, Mastery.kp_code == LearnerKpStats.kp_code),
        )
        .where(
            LearnerKpStats.learner_id.in_(select(learners.c.id)),
            LearnerKpStats.mastered_at.is_not(None),
            _between(LearnerKpStats.mastered_at, scope),
        )
        .order_by(LearnerKpStats.mastered_at),
    ):
        yield xapi.mastered(pseudonym=name, kp_code=kp, at=at, p_known=p_known, home_page=home_page)
    async for d_id, at, name in _rows(
        session,
        select(Dialogue.id, Dialogue.created_at, pseudonym)
        .join(LearnerPseudonym, by_learner == Dialogue.learner_id)
        .where(Dialogue.learner_id.in_(select(learners.c.id)), _between(Dialogue.created_at, scope))
        .order_by(Dialogue.created_at),
    ):
        yield xapi.started_dialogue(dialogue_id=d_id, pseudonym=name, at=at, home_page=home_page)
    async for d_id, seq, at, name in _rows(
        session,
        select(DialogueTurnRow.dialogue_id, DialogueTurnRow.seq, DialogueTurnRow.created_at, pseudonym)
        .join(Dialogue, Dialogue.id == DialogueTurnRow.dialogue_id)
        .join(LearnerPseudonym, by_learner == Dialogue.learner_id)
        .where(
            Dialogue.learner_id.in_(select(learners.c.id)),
            DialogueTurnRow.role == "student",
            _between(DialogueTurnRow.created_at, scope),
        )
        .order_by(DialogueTurnRow.created_at),
    ):
        yield xapi.interacted(dialogue_id=d_id, seq=seq, pseudonym=name, at=at, home_page=home_page)
    async for digest, at, ref, payload in _rows(
        session,
        select(AuditEvent.hash, AuditEvent.occurred_at, AuditEvent.learner_ref, AuditEvent.payload)
        .join(LearnerPseudonym, LearnerPseudonym.pseudonym == AuditEvent.learner_ref)
        .where(
            AuditEvent.kind == kinds.MODEL_OUTPUT_HINT,
            by_learner.in_(select(learners.c.id)),
            AuditEvent.payload["verdict"]["served"].astext.is_not(None),
            _between(AuditEvent.occurred_at, scope),
        )
        .order_by(AuditEvent.seq),
    ):
        problem = (payload.get("input") or {}).get("problem_sha256")
        source = str(payload["verdict"]["served"])
        yield xapi.asked_hint(
            event_hash=digest,
            pseudonym=ref,
            problem_sha256=problem,
            source=source,
            at=at,
            home_page=home_page,
        )
