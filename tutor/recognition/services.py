"""Store recognitions and their confirmation; the edit rate per engine is our quality signal."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit.ai_content import record_correction
from tutor.auth.principal import Principal
from tutor.db.models.people import User
from tutor.db.models.recognition import Recognition
from tutor.errors import ConflictError, NotFoundError, UnprocessableError
from tutor.recognition.schemas import ConfirmedInput, EngineQuality

__all__ = ["MAX_CONFIRMED_CHARS", "confirm_recognition", "quality_by_engine", "store_recognition"]

MAX_CONFIRMED_CHARS = 2000
_SPACES = re.compile(r"\s+")


def _normalise(text: str) -> str:
    """Whitespace differences are not edits (pix2tex and whisper space things their own way)."""
    return _SPACES.sub(" ", text).strip()


async def store_recognition(
    session: AsyncSession,
    principal: Principal,
    *,
    kind: str,
    engine: str,
    text: str,
    confidence: float,
    parseable: bool,
    language: str | None = None,
    problem: str | None = None,
) -> Recognition:
    """Keep what the engine produced (text only; the image or audio is never stored)."""
    row = Recognition(
        learner_id=principal.id,
        kind=kind,
        engine=engine,
        recognized_text=text,
        confidence=min(1.0, max(0.0, confidence)),
        parseable=parseable,
        language=language,
        problem=problem,
    )
    session.add(row)
    await session.flush()
    return row


async def confirm_recognition(
    session: AsyncSession, principal: Principal, recognition_id: UUID, confirmed_text: str
) -> ConfirmedInput:
    """Record the learner's confirmed (possibly edited) text. Only the owner may confirm: 404 otherwise.

    Confirming again with the same text is a no-op (a retried attempt); with another text it is 409,
    so one recognition never stands for two different answers.
    """
    text = _normalise(confirmed_text)
    if not text:
        raise UnprocessableError("The confirmed text is empty.", field="confirmed_text")
    if len(text) > MAX_CONFIRMED_CHARS:
        raise UnprocessableError(
            f"The confirmed text is longer than {MAX_CONFIRMED_CHARS} characters.", field="confirmed_text"
        )
    row = await session.get(Recognition, recognition_id, with_for_update=True)
    if row is None or row.learner_id != principal.id:
        raise NotFoundError("No such recognition.", recognition_id=str(recognition_id))
    if row.confirmed_text is not None:
        if row.confirmed_text != text:
            raise ConflictError(
                "This recognition was already confirmed with another text; please recognise again.",
                recognition_id=str(recognition_id),
            )
    else:
        row.confirmed_text = text
        offered = {_normalise(row.recognized_text), _normalise(row.problem or "")}
        row.edited = text not in offered  # taking the words or their math reading as offered is no edit
        row.confirmed_at = datetime.now(UTC)
        await session.flush()
        await record_correction(
            session,
            principal,
            recognition_id=row.id,
            recognized=row.recognized_text,
            confirmed=text,
            edited=bool(row.edited),
        )
    return ConfirmedInput(
        recognition_id=row.id,
        modality="speech" if row.kind == "speech" else "handwriting",
        text=text,
        edited=bool(row.edited),
        engine=row.engine,
    )


async def quality_by_engine(session: AsyncSession, school_id: UUID) -> list[EngineQuality]:
    """Edit rate per (engine, kind) over the school's learners; None when nothing is confirmed yet."""
    confirmed = func.count(Recognition.confirmed_at)
    edited = func.count(case((Recognition.edited.is_(True), 1)))
    stmt = (
        select(Recognition.engine, Recognition.kind, func.count(), confirmed, edited)
        .join(User, User.id == Recognition.learner_id)
        .where(User.school_id == school_id)
        .group_by(Recognition.engine, Recognition.kind)
        .order_by(Recognition.engine, Recognition.kind)
    )
    out: list[EngineQuality] = []
    for engine, kind, total, n_confirmed, n_edited in (await session.execute(stmt)).all():
        out.append(
            EngineQuality(
                engine=engine,
                kind=kind,
                recognitions=int(total),
                confirmed=int(n_confirmed),
                edited=int(n_edited),
                edit_rate=(int(n_edited) / int(n_confirmed)) if n_confirmed else None,
            )
        )
    return out
