"""Record confusion with the spoken question or the attempt; read it back for the learner's teachers.

Scores are computed and kept only for learners whose guardian consented to analytics (the purpose
they serve), and read only by the learner's teachers and school admins, again only with consent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.speech.prosody import Prosody
from tutor.auth.access import learner_visible_to
from tutor.auth.principal import Principal
from tutor.confusion.schemas import ConfusionRecordOut, LearnerConfusionOut, SignalOut
from tutor.confusion.score import HEURISTIC, ConfusionScore, Signal, behaviour_signals, combine, voice_signals
from tutor.db.models import Attempt, ConfusionRecord, Dialogue, DialogueTurnRow
from tutor.privacy.consent import has_consent, require_consent

__all__ = ["learner_confusion", "record_attempt_confusion", "record_speech_confusion"]

SESSION_GAP = timedelta(minutes=30)
"""A previous attempt longer ago than this started another session: the answer time is unknown."""
_HELP_WINDOW = timedelta(hours=24)


def _encode(signals: tuple[Signal, ...]) -> list[dict[str, Any]]:
    return [msgspec.structs.asdict(SignalOut(s.name, s.value, s.strength, s.weight)) for s in signals]


def _decode(raw: list[dict[str, Any]]) -> list[Signal]:
    return [Signal(str(r["name"]), float(r["value"]), float(r["strength"]), float(r["weight"])) for r in raw]


def _row(learner_id: UUID, source: str, scored: ConfusionScore, **links: UUID | None) -> ConfusionRecord:
    return ConfusionRecord(
        learner_id=learner_id,
        source=source,
        score=scored.score,
        level=scored.level,
        signals=_encode(scored.signals),
        **links,
    )


async def record_speech_confusion(
    session: AsyncSession, learner_id: UUID, recognition_id: UUID, prosody: Prosody | None
) -> ConfusionRecord | None:
    """The voice part, kept with the recognition (and reused when the attempt cites it)."""
    if prosody is None or not await has_consent(session, learner_id, "analytics"):
        return None
    row = _row(learner_id, "speech", combine(voice_signals(prosody)), recognition_id=recognition_id)
    session.add(row)
    await session.flush()
    return row


async def record_attempt_confusion(session: AsyncSession, attempt: Attempt) -> ConfusionRecord | None:
    """Behaviour signals of a just-flushed attempt (plus the voice signals of a spoken answer), in the
    attempt's transaction; one query gathers them."""
    if not await has_consent(session, attempt.learner_id, "analytics"):
        return None
    learner, at = attempt.learner_id, attempt.created_at
    previous = (
        select(func.max(Attempt.created_at))
        .where(Attempt.learner_id == learner, Attempt.id != attempt.id, Attempt.created_at <= at)
        .scalar_subquery()
    )
    wrong = (
        select(func.count())
        .select_from(Attempt)
        .where(
            Attempt.learner_id == learner, Attempt.item_id == attempt.item_id, Attempt.is_correct.is_(False)
        )
        .scalar_subquery()
    )
    helps = (
        select(func.count())
        .select_from(DialogueTurnRow)
        .join(Dialogue, Dialogue.id == DialogueTurnRow.dialogue_id)
        .where(
            and_(
                Dialogue.learner_id == learner,
                Dialogue.item_id == attempt.item_id,
                DialogueTurnRow.role == "student",
                DialogueTurnRow.created_at >= at - _HELP_WINDOW,
            )
        )
        .scalar_subquery()
    )
    voice = (
        select(ConfusionRecord.signals)
        .where(ConfusionRecord.recognition_id == attempt.recognition_id, ConfusionRecord.source == "speech")
        .limit(1)
        .scalar_subquery()
    )
    prev_at, n_wrong, n_help, voice_raw = (await session.execute(select(previous, wrong, helps, voice))).one()
    since = _seconds_since(prev_at, at)
    signals = behaviour_signals(
        seconds_since_previous=since, wrong_on_item=int(n_wrong), help_requests=int(n_help)
    )
    if voice_raw:
        signals += _decode(voice_raw)
    row = _row(
        learner, "attempt", combine(signals), attempt_id=attempt.id, recognition_id=attempt.recognition_id
    )
    session.add(row)
    await session.flush()
    return row


def _seconds_since(previous: datetime | None, now: datetime) -> float | None:
    if previous is None or now - previous > SESSION_GAP:
        return None
    return (now - previous).total_seconds()


async def learner_confusion(
    session: AsyncSession, principal: Principal, learner_id: UUID, *, limit: int
) -> LearnerConfusionOut:
    """The learner's recent scores for their teachers; 403 ``consent_required`` without analytics consent."""
    await learner_visible_to(session, principal, learner_id)
    await require_consent(session, learner_id, "analytics")
    rows = (
        await session.scalars(
            select(ConfusionRecord)
            .where(ConfusionRecord.learner_id == learner_id)
            .order_by(ConfusionRecord.created_at.desc(), ConfusionRecord.id.desc())
            .limit(limit)
        )
    ).all()
    records = [
        ConfusionRecordOut(
            id=row.id,
            source=row.source,
            created_at=row.created_at,
            score=row.score,
            level=row.level,
            attempt_id=row.attempt_id,
            recognition_id=row.recognition_id,
            signals=[SignalOut(s.name, s.value, s.strength, s.weight) for s in _decode(row.signals)],
        )
        for row in rows
    ]
    mean = sum(r.score for r in records) / len(records) if records else None
    return LearnerConfusionOut(
        learner_id=learner_id,
        heuristic=HEURISTIC,
        records=records,
        mean_score=round(mean, 3) if mean is not None else None,
        high=sum(1 for r in records if r.level == "high"),
    )
