"""The app's one LLM engine: built lazily from ``TUTOR_LLM_*`` settings, shut down with the app.

Routes ask for it through :func:`provide_engine`; with no model configured they answer 503 naming the
variable to set, and routes that need no model never import torch.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm import LLMConfig, LLMEngine, create_engine
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


def activated_version(adapter_version: int) -> str:
    """The version label a trained run is served under (``math@v3``)."""
    return f"v{adapter_version}"


async def served_adapter(session: AsyncSession, engine: LLMEngine, requested: str | None) -> str | None:
    """The adapter spec a request is served with, honouring admin activations.

    A request naming a version (``math@v2``) or the bare model (``""``) gets exactly that. Otherwise
    (no adapter: the engine's default; or a name alone) the adapter's activated version is served when
    one is active (``tutor.training.registry.active_run``, looked up per request), loaded into the
    engine on first use; without an activation, the engine's startup adapter as before.
    """
    if requested == "" or (requested is not None and "@" in requested):
        return requested
    if requested is None:
        await engine.load()  # the default adapter is known once the engine has loaded
        default = engine.resolve_adapter(None)
        if default is None:
            return None
        name = default.name
    else:
        name = requested
    from tutor.training.registry import active_run  # the training area is only needed here

    run = await active_run(session, name)
    if run is None or not run.adapter_dir:
        return requested
    ref = await engine.ensure_adapter(
        run.adapter_name, activated_version(run.adapter_version), Path(run.adapter_dir)
    )
    return ref.key
