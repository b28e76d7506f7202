"""The app's one LLM engine: built lazily from ``TUTOR_LLM_*`` settings, shut down with the app.

Routes ask for it through :func:`provide_engine`; with no model configured they answer 503 naming the
variable to set, and routes that need no model never import torch.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm import LLMConfig, LLMEngine, create_engine
from tutor.auth.adapter_access import resolve_adapter_for
from tutor.auth.principal import Principal
from tutor.errors import ServiceUnavailableError
from tutor.health.engines import register_engine
from tutor.runtime import register_shutdown
from tutor.settings import Settings

__all__ = [
    "ENGINE_KEY",
    "engine_config",
    "get_engine",
    "install_llm_health",
    "provide_engine",
    "served_adapter",
]

ENGINE_KEY = "llm_engine"
_CONFIG_KEY = "llm_config"


def _config(state: State, settings: Settings) -> LLMConfig:
    config: LLMConfig | None = state.get(_CONFIG_KEY)
    if config is None:
        try:
            config = LLMConfig.from_env(settings.env or {})
        except ValueError as exc:  # a typo in a TUTOR_LLM_* value: say which, don't crash
            raise ServiceUnavailableError(f"The language model settings are invalid: {exc}") from exc
        state[_CONFIG_KEY] = config
    return config


def _state_label(engine: LLMEngine) -> str:
    health = engine.health()
    return {"ok": "ready", "not_loaded": "not_loaded"}.get(health.status, f"failed: {health.detail}")


def get_engine(state: State, settings: Settings) -> LLMEngine:
    """The configured engine (created on first use, loaded on first generation)."""
    engine: LLMEngine | None = state.get(ENGINE_KEY)
    if engine is not None:
        return engine
    config = _config(state, settings)
    created = create_engine(config)
    if created is None:
        register_engine(state, "llm", lambda: f"not_configured: set {config.missing_setting}")
        raise ServiceUnavailableError(
            f"No language model is configured: set {config.missing_setting}.",
            missing_setting=config.missing_setting,
        )
    state[ENGINE_KEY] = created
    register_engine(state, "llm", lambda: _state_label(created))
    register_shutdown(state, created.close)
    return created


def install_llm_health(app: Litestar) -> None:
    """Start-up hook: list the language model on ``/health/ready`` before its first use."""
    settings: Settings = app.state.settings
    missing = _config(app.state, settings).missing_setting
    label = f"not_configured: set {missing}" if missing else "configured (loads on first use)"
    register_engine(app.state, "llm", lambda: label)


async def provide_engine(state: State, settings: Settings) -> LLMEngine:
    """Litestar dependency: ``engine: LLMEngine`` in a handler."""
    return get_engine(state, settings)


def engine_config(state: State, settings: Settings) -> LLMConfig:
    """The LLM settings the app runs with (prompt language default, limits)."""
    return _config(state, settings)


async def served_adapter(
    session: AsyncSession, engine: LLMEngine, requested: str | None, principal: Principal
) -> str | None:
    """The adapter spec a request is served with: the caller's school's activation, or the deployment's.

    Tenancy (which school's versions, what a learner may pick) is decided in
    ``tutor.auth.adapter_access.resolve_adapter_for``; trained versions load into the engine on first use.
    """
    return await resolve_adapter_for(session, principal, engine, requested)
