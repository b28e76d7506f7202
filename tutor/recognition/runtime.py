"""The recognition engines and their worker pools, built once per app from its settings.

Nothing is loaded here: engines load on first use, on a worker thread. Building the runtime also
registers each engine's state with ``/health/ready`` and its pool's shutdown with the app.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Litestar

from adapters.formula import FormulaConfig, Pix2TexEngine
from adapters.inference_pool import InferencePool, PoolConfig
from adapters.media import MediaLimits
from adapters.speech import SpeechConfig, SpeechEngine, build_speech_engine
from tutor.health.engines import register_engine
from tutor.runtime import register_shutdown

__all__ = [
    "RecognitionRuntime",
    "attach_runtime",
    "engine_states",
    "install_recognition",
    "recognition_runtime",
]

_KEY = "recognition_runtime"


@dataclass(frozen=True, slots=True)
class RecognitionRuntime:
    formula: Pix2TexEngine
    speech: SpeechEngine
    formula_pool: InferencePool
    speech_pool: InferencePool
    limits: MediaLimits
    warmup: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RecognitionRuntime:
        pool = PoolConfig.from_env(env)
        return cls(
            formula=Pix2TexEngine(FormulaConfig.from_env(env)),
            speech=build_speech_engine(SpeechConfig.from_env(env)),
            formula_pool=InferencePool(pool, name="formula recognition"),
            speech_pool=InferencePool(pool, name="speech recognition"),
            limits=MediaLimits.from_env(env),
            warmup=(env.get("TUTOR_RECOGNITION_WARMUP") or "").strip().lower() in {"1", "true", "yes", "on"},
        )

    def states(self) -> dict[str, str]:
        return {
            f"formula:{self.formula.name}": self.formula.health().describe(),
            f"speech:{self.speech.name}": self.speech.health().describe(),
        }

    def start_warmup(self) -> None:
        """Load the configured engines on a background thread, so the first learner does not wait.

        A failed load is kept as the engine's ``failed`` state (``/health/ready`` shows why)."""

        def load_all() -> None:
            for engine in (self.formula, self.speech):
                if engine.health().state == "configured":
                    try:
                        engine.load()
                    except Exception:  # recorded in the engine's health; nothing else to do here
                        continue

        threading.Thread(target=load_all, name="recognition-warmup", daemon=True).start()

    def shutdown(self) -> None:
        self.formula_pool.shutdown()
        self.speech_pool.shutdown()


def attach_runtime(state: Any, runtime: RecognitionRuntime, *, owned: bool = True) -> None:
    """Put ``runtime`` on the app state and register its engines' health (and, if owned, shutdown)."""
    state[_KEY] = runtime
    register_engine(state, "formula", lambda: runtime.formula.health().describe())
    register_engine(state, "speech", lambda: runtime.speech.health().describe())
    if owned:
        register_shutdown(state, runtime.shutdown)


def recognition_runtime(state: Any) -> RecognitionRuntime:
    """The app's runtime, created on first use from ``state.settings.env`` (cheap: nothing loads)."""
    runtime: RecognitionRuntime | None = state.get(_KEY)
    if runtime is None:
        settings = state.get("settings")
        env: Mapping[str, str] = getattr(settings, "env", None) or {}
        runtime = RecognitionRuntime.from_env(env)
        attach_runtime(state, runtime)
    return runtime


def install_recognition(app: Litestar) -> None:
    """Startup hook: build the runtime so ``/health/ready`` lists the engines before any request, and
    load them in the background when ``TUTOR_RECOGNITION_WARMUP`` is on."""
    runtime = recognition_runtime(app.state)
    if runtime.warmup:
        runtime.start_warmup()


def engine_states(app_state: Any) -> dict[str, str]:
    """Each recognition engine's state: not_configured / configured / loading / ready / failed: why."""
    return recognition_runtime(app_state).states()
