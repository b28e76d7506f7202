"""Teacher analytics routes: the teacher of the class or an admin of its school only.

Outside the caller's school a class answers 404 (its existence is not revealed); a class of the
school taught by someone else answers 403; students are refused by the role guard (403).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.analytics import services
from tutor.analytics.schemas import AlertsOut, DriftingItemOut, MasteryMatrixOut, ProgressOut, WeakPointsOut
from tutor.attempts.item_fold import fold_all
from tutor.auth.access import class_for_staff
from tutor.auth.guards import requires_roles
from tutor.auth.principal import Principal
from tutor.errors import UnprocessableError
from tutor.practice.attempt_step import learning_config
from tutor.settings import Settings

__all__ = ["MAX_PROGRESS_DAYS", "AnalyticsController", "ItemDriftController"]

MAX_PROGRESS_DAYS = 366
Req = Request[Principal, Any, Any]


class AnalyticsController(Controller):
    path = "/v1/classes/{class_id:uuid}/analytics"
    tags = ("analytics",)
    guards = (requires_roles("teacher", "admin"),)

    @get(
        "/mastery", summary="Learners x knowledge points matrix of mastery (P(known), observations, mastered)"
    )
    async def mastery(
        self, request: Req, db_session: AsyncSession, settings: Settings, class_id: UUID
    ) -> MasteryMatrixOut:
        await class_for_staff(db_session, request.user, class_id)
        return await services.mastery_matrix(db_session, class_id, learning_config(settings))

    @get(
        "/weak-points",
        summary="Knowledge points ranked by share of learners not mastered, then error rate",
        description="Each point lists the class's most common wrong answers (up to three).",
    )
    async def weak_points(
        self,
        request: Req,
        db_session: AsyncSession,
        settings: Settings,
        class_id: UUID,
        limit: Annotated[int, Parameter(query="limit", ge=1, le=100, default=10)] = 10,
    ) -> WeakPointsOut:
        await class_for_staff(db_session, request.user, class_id)
        return await services.weak_points(db_session, class_id, learning_config(settings), limit=limit)

    @get("/progress", summary="Attempts, accuracy and mastered points per day or week")
    async def progress(
        self,
        request: Req,
        db_session: AsyncSession,
        class_id: UUID,
        from_date: Annotated[date | None, Parameter(query="from", required=False)] = None,
        to_date: Annotated[date | None, Parameter(query="to", required=False)] = None,
        bucket: Annotated[Literal["day", "week"], Parameter(query="bucket", default="day")] = "day",
    ) -> ProgressOut:
        end = to_date or datetime.now(UTC).date()
        start = from_date or end - timedelta(days=29)
        if start > end:
            raise UnprocessableError("'from' must be on or before 'to'.", field="from")
        if (end - start).days >= MAX_PROGRESS_DAYS:
            raise UnprocessableError(f"The range can span at most {MAX_PROGRESS_DAYS} days.", field="to")
        await class_for_staff(db_session, request.user, class_id)
        return await services.progress(db_session, class_id, start=start, end=end, bucket=bucket)

    @get(
        "/alerts",
        summary="Learners who are stuck, inactive or declining",
        description=(
            "stuck: several wrong answers in a row on one knowledge point "
            "(TUTOR_ALERT_STUCK_STREAK, default 3); "
            "inactive: no attempt for TUTOR_ALERT_INACTIVE_DAYS (default 7); declining: accuracy of the last "
            "7 days below the 7 days before by TUTOR_ALERT_DECLINE_DROP (default 0.2), with at least 5 "
            "attempts in each week."
        ),
    )
    async def alerts(
        self, request: Req, db_session: AsyncSession, settings: Settings, class_id: UUID
    ) -> AlertsOut:
        await class_for_staff(db_session, request.user, class_id)
        return await services.alerts(db_session, class_id, learning_config(settings))


class ItemDriftController(Controller):
    """Items whose answers stopped matching the model (leaked answer, wrong key, mis-stated difficulty)."""

    path = "/v1/analytics/items"
    tags = ("analytics",)
    guards = (requires_roles("teacher", "admin"),)

    @get(
        "/drift",
        summary="Items flagged for drift: observed correctness far from the prediction",
        description=(
            "An item is flagged when the exponentially weighted z-score of (correct - predicted) over its "
            "recent attempts reaches TUTOR_ITEM_DRIFT_Z (default 3) after at least 20 attempts. "
            "`tutor recalibrate-items` refits difficulties and resets the check."
        ),
    )
    async def drift(
        self,
        request: Req,
        db_session: AsyncSession,
        settings: Settings,
        limit: Annotated[int, Parameter(query="limit", ge=1, le=200, default=50)] = 50,
    ) -> list[DriftingItemOut]:
        # attempts reach item calibration through a batched fold (tutor.attempts.item_fold): fold what
        # is pending first, in its own transaction, so the view is current to the last attempt
        await fold_all(request.app.state.session_maker, learning_config(settings))
        return await services.drifting_items(db_session, request.user.school_id, limit=limit)
