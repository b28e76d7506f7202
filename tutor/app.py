"""The app factory: one place that wires settings, database, auth, routes, errors, logs and metrics."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Sequence
from typing import Any

import anyio
import structlog
from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar, Request
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from tutor.api.problems import EXCEPTION_HANDLERS
from tutor.api.reference import PlainReferencePlugin
from tutor.attempts.item_fold import fold_loop
from tutor.auth.consent_guard import consent_guard
from tutor.auth.headers import add_security_headers
from tutor.auth.scopes import service_scope_guard
from tutor.auth.security import build_auth
from tutor.db.embedded import EmbeddedPostgres
from tutor.db.engine import make_engine, make_session_maker, session_timeouts
from tutor.db.migrate import upgrade
from tutor.logging import request_id_middleware, structlog_plugin
from tutor.math import sandbox as math_sandbox
from tutor.math.budget import SANDBOX_ACCOUNT
from tutor.practice.attempt_step import learning_config
from tutor.privacy.config import PrivacySettings
from tutor.privacy.rate_limits import rate_limit_middleware
from tutor.recognition.runtime import install_recognition
from tutor.routes import ROUTE_HANDLERS
from tutor.settings import Settings, get_settings
from tutor.tutoring.engine import install_llm_health

__all__ = ["create_app"]

log = structlog.get_logger(__name__)


async def _bind_sandbox_account(request: Request[Any, Any, Any]) -> None:
    """The math sandbox charges the signed-in account (tutor.math.budget); anonymous calls go uncharged."""
    user = request.scope.get("user")
    user_id = getattr(user, "id", None)
    SANDBOX_ACCOUNT.set(str(user_id) if user_id is not None else None)


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False


def create_app(
    settings: Settings | None = None,
    *,
    extra_route_handlers: Sequence[Any] = (),
    on_startup: Sequence[Callable[[Litestar], Any]] = (),
) -> Litestar:
    """Build the app. Without ``TUTOR_DATABASE_URL`` an embedded PostgreSQL is started and migrated."""
    settings = settings or get_settings()
    learning_config(settings)  # a bad TUTOR_* learner-model value stops start-up, not the first attempt
    embedded: EmbeddedPostgres | None = None
    url = settings.database_url
    if url is None:
        embedded = EmbeddedPostgres(settings.embedded_pg_dir)
        url = embedded.start()
    engine = make_engine(url, pool_size=settings.db_pool_size, server_settings=session_timeouts(settings.env))
    session_maker = make_session_maker(engine)
    auth = build_auth(settings)

    async def migrate_embedded(app: Litestar) -> None:
        if embedded is not None:
            await anyio.to_thread.run_sync(upgrade, url)

    async def start_item_fold(app: Litestar) -> None:
        app.state.item_fold_task = asyncio.create_task(fold_loop(session_maker, learning_config(settings)))
        prewarm = settings.env.get("TUTOR_MATH_PREWARM") or os.environ.get("TUTOR_MATH_PREWARM", "")
        if prewarm.lower() in {"1", "true", "yes"}:
            # `tutor serve`: start the math workers now, not on the first answer after a (re)start
            asyncio.get_running_loop().run_in_executor(None, math_sandbox.get_sandbox().warm)

    async def close(app: Litestar) -> None:
        fold_task = app.state.get("item_fold_task")
        if fold_task is not None:
            fold_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await fold_task
        await engine.dispose()
        from tutor.runtime import shutdown_runtime

        await shutdown_runtime(app)
        math_sandbox.shutdown()
        if embedded is not None:
            embedded.stop()

    db_config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        before_send_handler="autocommit",
        session_config=AsyncSessionConfig(expire_on_commit=False),
    )
    return Litestar(
        route_handlers=[*ROUTE_HANDLERS, MetricsController, *extra_route_handlers],
        plugins=[SQLAlchemyPlugin(config=db_config), structlog_plugin(settings.log_level)],
        middleware=[
            request_id_middleware,
            *rate_limit_middleware(PrivacySettings.from_env(settings.env)),
            PrometheusConfig(app_name="tutor", prefix="tutor", group_path=True).middleware,
        ],
        on_app_init=[auth.on_app_init],
        on_startup=[migrate_embedded, start_item_fold, install_recognition, install_llm_health, *on_startup],
        on_shutdown=[close],
        before_send=[add_security_headers],
        before_request=_bind_sandbox_account,
        dependencies={"settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False)},
        guards=[service_scope_guard, consent_guard],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Adaptive math tutor API",
            version="1.0.0",
            path="/schema",
            render_plugins=[PlainReferencePlugin(), JsonRenderPlugin(path="/openapi.json")],
        ),
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins)) if settings.cors_origins else None,
        request_max_body_size=settings.max_body_bytes,
        state=State({"settings": settings, "db_engine": engine, "session_maker": session_maker}),
        debug=False,
    )
