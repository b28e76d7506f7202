"""A registry of model engines' states for /health/ready (engines register a callable)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["ENGINE_STATES_KEY", "engine_states", "register_engine"]

ENGINE_STATES_KEY = "engine_state_providers"


def register_engine(state: Any, name: str, provider: Callable[[], str]) -> None:
    """``provider`` returns e.g. ``not_configured``, ``loading``, ``ready`` or ``failed: <why>``."""
    providers: dict[str, Callable[[], str]] = state.setdefault(ENGINE_STATES_KEY, {})
    providers[name] = provider


def engine_states(state: Any) -> dict[str, str]:
    providers: dict[str, Callable[[], str]] = state.get(ENGINE_STATES_KEY, {})
    out: dict[str, str] = {}
    for name, provider in sorted(providers.items()):
        try:
            out[name] = provider()
        except Exception as exc:  # a broken probe must not take readiness down with it
            out[name] = f"failed: {type(exc).__name__}"
    return out
