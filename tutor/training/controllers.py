"""Training runs, the privacy ledger and adapter activation (admins of the school only)."""

from __future__ import annotations

from uuid import UUID

from advanced_alchemy.filters import LimitOffset
from litestar import Controller, get, post
from litestar.di import Provide
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.training.config import TrainingSettings
from tutor.api.pagination import provide_limit_offset
from tutor.api.types import AuthedRequest
from tutor.auth.guards import requires_roles
from tutor.db.models.training import TrainingRun
from tutor.errors import NotFoundError
from tutor.settings import Settings
from tutor.training import ledger, registry
from tutor.training.queueing import enqueue_run
from tutor.training.schemas import ActiveAdapterOut, LedgerOut, RunIn, RunOut, run_out

__all__ = ["TrainingController", "provide_training_settings"]


def provide_training_settings(settings: Settings) -> TrainingSettings:
    return TrainingSettings.from_env(settings.env)


def _active_out(name: str, run: TrainingRun | None) -> ActiveAdapterOut:
    return ActiveAdapterOut(
        adapter_name=name,
        active_version=None if run is None else run.adapter_version,
        run_id=None if run is None else run.id,
    )


class TrainingController(Controller):
    path = "/v1"
    tags = ["training"]
    guards = [requires_roles("admin")]
    dependencies = {
        "page": Provide(provide_limit_offset, sync_to_thread=False),
        "training": Provide(provide_training_settings, sync_to_thread=False),
    }

    @post("/training/runs", status_code=HTTP_202_ACCEPTED, summary="Start a DP-SGD training run (job)")
    async def start_run(
        self, request: AuthedRequest, db_session: AsyncSession, data: RunIn, training: TrainingSettings
    ) -> RunOut:
        run = await ledger.create_run(db_session, request.user.school_id, request.user.id, data, training)
        out = run_out(run)
        await db_session.commit()  # the worker must see the run (and its charge) before the job starts
        try:
            await enqueue_run(request.app.state, run.id)
        except Exception:
            run.status = "failed"
            run.error = "The job queue was unavailable."
            await db_session.commit()
            raise
        return out

    @get("/training/runs/{run_id:uuid}", summary="A training run's progress and result")
    async def get_run(self, request: AuthedRequest, db_session: AsyncSession, run_id: UUID) -> RunOut:
        run = await db_session.get(TrainingRun, run_id)
        if run is None or run.school_id != request.user.school_id:
            raise NotFoundError("This training run does not exist.")
        return run_out(run)

    @get("/privacy/ledger", summary="Every training run's privacy spend, newest first")
    async def privacy_ledger(
        self, request: AuthedRequest, db_session: AsyncSession, page: LimitOffset, training: TrainingSettings
    ) -> LedgerOut:
        school_id = request.user.school_id
        query = select(TrainingRun).where(TrainingRun.school_id == school_id)
        total = await db_session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = await db_session.scalars(
            query.order_by(TrainingRun.created_at.desc(), TrainingRun.id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
        return LedgerOut(
            items=[run_out(r) for r in rows],
            total=total,
            limit=page.limit,
            offset=page.offset,
            epsilon_spent_total=await ledger.school_spent(db_session, school_id),
            global_epsilon_cap=training.global_epsilon_cap,
            learner_epsilon_cap=training.learner_epsilon_cap,
            max_learner_epsilon=await ledger.max_learner_spend(db_session, school_id),
        )

    @get("/adapters/{name:str}", summary="Which version of an adapter the school's learners are served")
    async def active_adapter(
        self, request: AuthedRequest, db_session: AsyncSession, name: str
    ) -> ActiveAdapterOut:
        return _active_out(name, await registry.active_run(db_session, request.user.school_id, name))

    @post(
        "/adapters/{name:str}/{version:int}/activate", status_code=HTTP_200_OK, summary="Serve this version"
    )
    async def activate(
        self,
        request: AuthedRequest,
        db_session: AsyncSession,
        name: str,
        version: int,
        training: TrainingSettings,
    ) -> ActiveAdapterOut:
        run = await registry.activate(db_session, request.user, name, version, training.gate_margin)
        return _active_out(name, run)

    @post("/adapters/{name:str}/rollback", status_code=HTTP_200_OK, summary="Return to the previous version")
    async def rollback(self, request: AuthedRequest, db_session: AsyncSession, name: str) -> ActiveAdapterOut:
        return _active_out(name, await registry.rollback(db_session, request.user, name))
