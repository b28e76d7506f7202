"""Record an attempt: grade it, store it and update mastery, all in one transaction.

The attempt, its mastery updates and the stored idempotent response commit together or not at all.

Locking (why a class on one item never deadlocks): after the idempotency claim the transaction takes
one transaction-scoped advisory lock on the *learner* and then writes only the learner's own rows
(mastery, book, tallies, daily aggregates) plus appends (the attempt, the item calibration inbox).
No shared row is locked or updated: the item's difficulty and drift are folded later in batches
(``tutor.attempts.item_fold``). Two learners therefore never wait on each other; one learner's
concurrent attempts queue on their own lock. :func:`record_attempt_retrying` still retries the whole
transaction a few times on a serialization failure or deadlock, should another writer (a refit, an
erasure) meet an attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from uuid_utils.compat import uuid7  # the generator of the attempts table's own primary key default

from tutor.attempts.evidence import item_evidence
from tutor.attempts.idempotency import claim_key, lock_learner, request_hash
from tutor.attempts.mastery_update import apply_bkt, current_mastery
from tutor.attempts.schemas import AttemptIn, AttemptOut
from tutor.auth.principal import Principal
from tutor.confusion.services import record_attempt_confusion
from tutor.db.models import Attempt
from tutor.db.retry import retry_transaction
from tutor.items.access import visible_item
from tutor.math.grading import grade_answer
from tutor.practice.attempt_step import load_step
from tutor.recognition.services import confirm_recognition
from tutor.settings import Settings

__all__ = ["RecordedAttempt", "record_attempt", "record_attempt_retrying"]


@dataclass(frozen=True, slots=True)
class RecordedAttempt:
    out: AttemptOut
    created: bool
    """False when an earlier request with the same Idempotency-Key is replayed."""


async def record_attempt(
    session: AsyncSession,
    principal: Principal,
    data: AttemptIn,
    *,
    idempotency_key: str | None,
    settings: Settings,
) -> RecordedAttempt:
    body_hash = request_hash(data)
    if idempotency_key is not None:
        previous = await claim_key(session, principal.id, idempotency_key, body_hash)
        if previous is not None and previous.response is not None:
            return RecordedAttempt(out=_decode(previous.response), created=False)

    await lock_learner(session, principal.id)
    item = await visible_item(session, principal, data.item_id)
    modality, edited = data.modality, None
    if data.recognition_id is not None:
        confirmed = await confirm_recognition(session, principal, data.recognition_id, data.answer)
        modality, edited = confirmed.modality, confirmed.edited

    grade = await grade_answer(
        item.answer,
        item.answer_kind,
        data.answer,
        task=item.task,
        question=item.stem_text_en or item.stem_text_zh or item.stem_latex,
    )
    now = datetime.now(UTC)
    evidence = await item_evidence(session, principal.id, item.id, now)
    attempt_id = uuid7()  # known up front: the stored response carries it, so one INSERT writes both

    kp_codes = [kp.code for kp in item.knowledge_points]
    # learner model (tutor/practice): item-aware BKT parameters in; IRT, wrong-answer book, aggregates out
    learner_model = await load_step(session, item, kp_codes, learner_id=principal.id)
    if evidence.counts:
        changes = await apply_bkt(
            session,
            principal.id,
            kp_codes,
            grade.correct,
            params=learner_model.bkt_update_params,
            mastery_threshold=settings.mastery_threshold,
        )
    else:  # a re-submission right after seeing the grade is practice: mastery is not moved by it
        changes = await current_mastery(
            session, principal.id, kp_codes, settings.mastery_threshold, learner_model.bkt_update_params
        )
    await learner_model.record(
        session,
        settings,
        learner_id=principal.id,
        answer=data.answer,
        correct=grade.correct,
        at=now,
        changes=changes,
    )
    out = AttemptOut(
        id=attempt_id,
        item_id=item.id,
        is_correct=grade.correct,
        feedback=grade.reason,
        feedback_zh=grade.reason_zh,
        feedback_en=grade.reason,
        counts_as_evidence=evidence.counts,
        modality=modality,
        mastery=changes,
        created_at=now,
        recognition_edited=edited,
    )
    attempt = Attempt(
        id=attempt_id,
        learner_id=principal.id,
        item_id=item.id,
        submitted_answer=data.answer,
        is_correct=grade.correct,
        counts_as_evidence=evidence.counts,
        modality=modality,
        client_ts=data.client_ts,
        recognition_id=data.recognition_id,
        recognition_edited=edited,
        idempotency_key=idempotency_key,
        request_hash=body_hash,
        created_at=now,
        response=_encode(out),
    )
    session.add(attempt)
    await session.flush()
    await record_attempt_confusion(session, attempt)  # tutor.confusion: analytics consent only
    return RecordedAttempt(out=out, created=True)


async def record_attempt_retrying(
    sessions: async_sessionmaker[AsyncSession],
    principal: Principal,
    data: AttemptIn,
    *,
    idempotency_key: str | None,
    settings: Settings,
) -> RecordedAttempt:
    """:func:`record_attempt` in its own transaction, committed here, retried on 40001/40P01."""

    async def once() -> RecordedAttempt:
        async with sessions() as session, session.begin():
            return await record_attempt(
                session, principal, data, idempotency_key=idempotency_key, settings=settings
            )

    return await retry_transaction(once)


def _encode(out: AttemptOut) -> dict[str, object]:
    return msgspec.to_builtins(out)  # type: ignore[no-any-return]


def _decode(raw: dict[str, object]) -> AttemptOut:
    return msgspec.convert(raw, AttemptOut)
