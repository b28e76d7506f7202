"""Liveness and readiness: load balancers and the compose healthcheck poll these."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, get
from sqlalchemy import text

from tutor.api.types import AnyRequest
from tutor.db.migrate import current_revision, head_revision
from tutor.health.engines import engine_states

__all__ = ["HealthController"]


class Readiness(msgspec.Struct):
    status: str
    database: str
    migrations: str
    engines: dict[str, str]


class HealthController(Controller):
    path = "/health"
    tags = ["health"]
    exclude_from_auth = True

    @get("/live", summary="The process is up")
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/ready", summary="Database reachable, migrations at head, model engines' states")
    async def ready(self, request: AnyRequest) -> Response[Readiness]:
        engine = request.app.state.db_engine
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            database = "ready"
            current = await current_revision(engine)
        except Exception as exc:
            database, current = f"unreachable: {type(exc).__name__}", None
        head = head_revision()
        migrations = "at_head" if current == head else f"behind (at {current}, head {head})"
        ok = database == "ready" and current == head
        body = Readiness(
            status="ready" if ok else "not_ready",
            database=database,
            migrations=migrations,
            engines=engine_states(request.app.state),
        )
        return Response(body, status_code=200 if ok else 503)
