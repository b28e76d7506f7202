"""Load a model once, lazily, and report its state: the shared life cycle of every model adapter.

Engines load on first use (so the API starts in a second and routes that need no model never import
torch) and keep a health state that ``/health/ready`` can show without triggering a load.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Literal, TypeVar

import platformdirs

from tutor.errors import ServiceUnavailableError

__all__ = ["EngineHealth", "EngineState", "LazyEngine", "model_dir_from_env", "resolve_path"]

EngineState = Literal["not_configured", "configured", "loading", "ready", "failed"]
M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class EngineHealth:
    """``state`` plus, for not_configured/failed, a ``reason`` saying what to set or what went wrong."""

    state: EngineState
    reason: str | None = None

    def describe(self) -> str:
        return self.state if self.reason is None else f"{self.state}: {self.reason}"


class LazyEngine(Generic[M]):
    """Holds ``loader()``'s result; the first ``get()`` loads it, concurrent callers wait for that load.

    ``missing`` is None when the engine is configured, else the message telling the operator what to
    set; a failed load is remembered (no reload storm) and reported with its reason.
    """

    def __init__(self, label: str, loader: Callable[[], M], missing: str | None) -> None:
        self.label = label
        self._loader = loader
        self._missing = missing
        self._lock = threading.Lock()
        self._model: M | None = None
        self._loading = False
        self._error: str | None = None

    def health(self) -> EngineHealth:
        if self._missing is not None:
            return EngineHealth("not_configured", self._missing)
        if self._model is not None:
            return EngineHealth("ready")
        if self._error is not None:
            return EngineHealth("failed", self._error)
        return EngineHealth("loading" if self._loading else "configured")

    def ensure_configured(self) -> None:
        """Raise 503 right away (before queueing work) when the engine cannot be used."""
        if self._missing is not None:
            raise ServiceUnavailableError(
                f"{self.label} is not available: {self._missing}", engine_state="not_configured"
            )
        if self._error is not None:
            raise ServiceUnavailableError(
                f"{self.label} failed to load: {self._error}", engine_state="failed"
            )

    def get(self) -> M:
        """Return the loaded model, loading it on first use (blocking; call from a worker thread)."""
        model = self._model
        if model is not None:
            return model
        self.ensure_configured()
        with self._lock:
            if self._model is None:
                self.ensure_configured()
                self._loading = True
                try:
                    self._model = self._loader()
                except Exception as exc:  # any loader failure becomes a reported state, not a crash
                    self._error = f"{type(exc).__name__}: {exc}"
                    raise ServiceUnavailableError(
                        f"{self.label} failed to load: {self._error}", engine_state="failed"
                    ) from exc
                finally:
                    self._loading = False
            return self._model


def model_dir_from_env(env: Mapping[str, str]) -> Path:
    """``TUTOR_MODEL_DIR``, else ``<TUTOR_DATA_DIR or the user data dir>/models``: where weights live."""
    raw = env.get("TUTOR_MODEL_DIR")
    if raw:
        return Path(raw).expanduser().resolve()
    data_dir = env.get("TUTOR_DATA_DIR") or platformdirs.user_data_dir("belle-math-tutor")
    return (Path(data_dir).expanduser() / "models").resolve()


def resolve_path(raw: str, base: Path) -> Path:
    """An absolute path: relative values are taken inside the model directory, never the CWD."""
    path = Path(raw).expanduser()
    return path if path.is_absolute() else (base / path).resolve()
