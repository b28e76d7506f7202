"""Load the learner-model parameters in force: newest fitted BKT version per knowledge point, item IRT."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.db.models import Item
from tutor.db.models.learning import BKTParamVersion
from tutor.learning.bkt import DEFAULT_BKT_PARAMS, BKTParams
from tutor.learning.irt import ItemParams

__all__ = ["item_params", "kp_params"]


async def kp_params(
    session: AsyncSession, kp_codes: Iterable[str] | None = None
) -> dict[str, tuple[BKTParams, int | None]]:
    """``{kp_code: (params, version)}`` of the newest active version; points without one are absent
    (callers use the defaults)."""
    query = (
        select(BKTParamVersion)
        .where(BKTParamVersion.active.is_(True))
        .distinct(BKTParamVersion.kp_code)
        .order_by(BKTParamVersion.kp_code, BKTParamVersion.id.desc())
    )
    if kp_codes is not None:
        codes = list(kp_codes)
        if not codes:
            return {}
        query = query.where(BKTParamVersion.kp_code.in_(codes))
    rows = (await session.scalars(query)).all()
    return {
        r.kp_code: (
            BKTParams(
                prior=r.prior,
                learn=r.learn,
                guess=r.guess,
                slip=r.slip,
                forget=r.forget,
                half_life_days=r.half_life_days,
            ),
            r.id,
        )
        for r in rows
    }


def params_or_default(
    fitted: dict[str, tuple[BKTParams, int | None]], code: str
) -> tuple[BKTParams, int | None]:
    return fitted.get(code, (DEFAULT_BKT_PARAMS, None))


def item_params(item: Item) -> ItemParams:
    """The item's IRT state, clamped into the range the pure model accepts."""
    return ItemParams(
        difficulty=min(max(item.difficulty, -10.0), 10.0),
        discrimination=min(max(item.discrimination, 0.05), 5.0),
        n_attempts=max(item.calibration_attempts, 0),
    )


__all__ += ["params_or_default"]
