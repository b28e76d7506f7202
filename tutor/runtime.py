"""Process-wide resources areas start lazily (math sandbox, model engines) and their shutdown."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from litestar import Litestar

__all__ = ["register_shutdown", "shutdown_runtime"]

_SHUTDOWN_KEY = "runtime_shutdown_hooks"


def register_shutdown(state: Any, hook: Callable[[], Any]) -> None:
    hooks: list[Callable[[], Any]] = state.setdefault(_SHUTDOWN_KEY, [])
    hooks.append(hook)


async def shutdown_runtime(app: Litestar) -> None:
    for hook in reversed(app.state.get(_SHUTDOWN_KEY, [])):
        result = hook()
        if inspect.isawaitable(result):
            await result
