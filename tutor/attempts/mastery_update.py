"""Apply one graded attempt to the learner's mastery rows (BKT), inside the attempt's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.attempts.schemas import MasteryChange
from tutor.db.models import Mastery
from tutor.learning.bkt import DEFAULT_BKT_PARAMS, BKTParams, is_mastered, update_p_known
from tutor.learning.decay import decay_since

__all__ = ["apply_bkt", "current_mastery"]


async def apply_bkt(
    session: AsyncSession,
    learner_id: UUID,
    kp_codes: Sequence[str],
    correct: bool,
    *,
    params: Mapping[str, tuple[BKTParams, int | None]],
    mastery_threshold: float,
) -> list[MasteryChange]:
    """Update P(known) per knowledge point; rows are locked so concurrent attempts never lose an update."""
    if not kp_codes:
        return []
    defaults = [
        {
            "learner_id": learner_id,
            "kp_code": code,
            "p_known": params.get(code, (DEFAULT_BKT_PARAMS, None))[0].prior,
        }
        for code in sorted(set(kp_codes))
    ]
    # one round trip: create missing rows, lock all of them (in kp order) and read them back
    upsert = (
        insert(Mastery)
        .values(defaults)
        .on_conflict_do_update(index_elements=["learner_id", "kp_code"], set_={"p_known": Mastery.p_known})
        .returning(Mastery)
    )
    rows = sorted(
        (
            await session.scalars(
                select(Mastery).from_statement(upsert), execution_options={"populate_existing": True}
            )
        ).all(),
        key=lambda row: row.kp_code,
    )
    changes: list[MasteryChange] = []
    now = datetime.now(UTC)
    for row in rows:
        kp_params, version = params.get(row.kp_code, (DEFAULT_BKT_PARAMS, None))
        before = decay_since(row.p_known, row.updated_at, now, kp_params)  # faded since last practice
        row.p_known = update_p_known(before, correct, kp_params)
        row.n_observations += 1
        row.n_correct += int(correct)
        row.params_version = version
        row.updated_at = now
        changes.append(
            MasteryChange(
                knowledge_point=row.kp_code,
                p_known_before=round(before, 6),
                p_known=round(row.p_known, 6),
                mastered=is_mastered(row.p_known, mastery_threshold, kp_params),
            )
        )
    return changes


async def current_mastery(
    session: AsyncSession,
    learner_id: UUID,
    kp_codes: Sequence[str],
    mastery_threshold: float,
    params: Mapping[str, tuple[BKTParams, int | None]],
) -> list[MasteryChange]:
    """The learner's mastery rows as they stand (an attempt that is practice changes nothing)."""
    if not kp_codes:
        return []
    rows = (
        await session.scalars(
            select(Mastery)
            .where(Mastery.learner_id == learner_id, Mastery.kp_code.in_(kp_codes))
            .order_by(Mastery.kp_code)
        )
    ).all()
    return [
        MasteryChange(
            knowledge_point=row.kp_code,
            p_known_before=round(row.p_known, 6),
            p_known=round(row.p_known, 6),
            mastered=is_mastered(
                row.p_known, mastery_threshold, params.get(row.kp_code, (DEFAULT_BKT_PARAMS, None))[0]
            ),
        )
        for row in rows
    ]
