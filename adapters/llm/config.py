"""LLM engine settings, read from ``TUTOR_LLM_*`` variables.

Kept next to the adapter (the service-wide settings only know the service); a user with real BELLE
weights points ``TUTOR_LLM_MODEL`` and ``TUTOR_LLM_ADAPTER_DIR`` at them and nothing else changes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["LLMConfig"]

EngineKind = Literal["none", "local", "remote"]


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    return default if raw in (None, "") else int(raw)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    return default if raw in (None, "") else float(raw)


_SHIPPED_ADAPTERS = Path(__file__).parent / "lora" / "smollm2"
"""Adapters trained for the default SmolLM2 (``<name>/<version>/``), used with it unless overridden."""


def _installed_default(env: Mapping[str, str]) -> str | None:
    from adapters.llm.install import smollm2_dir, smollm2_installed
    from adapters.media.engine_state import model_dir_from_env

    model_dir = model_dir_from_env(env)
    return str(smollm2_dir(model_dir)) if smollm2_installed(model_dir) else None


@dataclass(frozen=True, slots=True)
class LLMConfig:
    """Which model, which adapters, where, and how much concurrency.

    ``adapters`` lists ``name`` or ``name@version`` entries; the first (the math LoRA) is the
    default. A missing version means the newest version directory found.
    """

    engine: EngineKind = "none"
    model: str | None = None
    adapter_dir: Path | None = None
    adapters: tuple[str, ...] = ("math",)
    device: str = "auto"
    dtype: str = "auto"
    quantization: Literal["none", "8bit", "4bit"] = "none"
    max_batch_size: int = 8
    max_wait_ms: float = 10.0
    max_queue: int = 64
    timeout_s: float = 120.0
    max_prompt_tokens: int = 2048
    slice_tokens: int = 16
    """Decoding steps per scheduler slice: new requests join (and finished ones leave) between slices."""
    queue_timeout_s: float = 30.0
    """A request that has not started decoding after this long is answered 503 (Retry-After)."""
    remote_url: str | None = None
    remote_model: str | None = None
    remote_api_key: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> LLMConfig:
        """With neither ``TUTOR_LLM_MODEL`` nor ``TUTOR_LLM_REMOTE_URL`` set, the SmolLM2 model that
        ``tutor models install`` builds under ``TUTOR_MODEL_DIR`` is the default (when installed),
        with the math LoRA shipped for it (``adapters/llm/lora/smollm2``) unless
        ``TUTOR_LLM_ADAPTER_DIR`` says otherwise."""
        model = env.get("TUTOR_LLM_MODEL") or None
        remote_url = env.get("TUTOR_LLM_REMOTE_URL") or None
        engine = (env.get("TUTOR_LLM_ENGINE") or "").strip().lower()
        adapter_dir = env.get("TUTOR_LLM_ADAPTER_DIR") or None
        if model is None and (engine == "local" or (not engine and not remote_url)):
            model = _installed_default(env)
            if (
                model is not None
                and adapter_dir is None
                and any(_SHIPPED_ADAPTERS.glob("*/*/adapter_config.json"))
            ):
                adapter_dir = str(_SHIPPED_ADAPTERS)  # our math LoRA, trained for this base
        if not engine:
            engine = "remote" if remote_url else "local" if model else "none"
        if engine not in ("none", "local", "remote"):
            raise ValueError(f"TUTOR_LLM_ENGINE must be none, local or remote, not {engine!r}")
        quant = (env.get("TUTOR_LLM_QUANTIZATION") or "none").strip().lower()
        if quant not in ("none", "8bit", "4bit"):
            raise ValueError(f"TUTOR_LLM_QUANTIZATION must be none, 8bit or 4bit, not {quant!r}")
        adapters = tuple(a.strip() for a in (env.get("TUTOR_LLM_ADAPTERS") or "math").split(",") if a.strip())
        return cls(
            engine=engine,  # type: ignore[arg-type]
            model=model,
            adapter_dir=Path(adapter_dir).expanduser() if adapter_dir else None,
            adapters=adapters,
            device=env.get("TUTOR_LLM_DEVICE") or "auto",
            dtype=env.get("TUTOR_LLM_DTYPE") or "auto",
            quantization=quant,  # type: ignore[arg-type]
            max_batch_size=max(1, _int(env, "TUTOR_LLM_MAX_BATCH_SIZE", 8)),
            max_wait_ms=max(0.0, _float(env, "TUTOR_LLM_MAX_WAIT_MS", 10.0)),
            max_queue=max(1, _int(env, "TUTOR_LLM_MAX_QUEUE", 64)),
            timeout_s=_float(env, "TUTOR_LLM_TIMEOUT_S", 120.0),
            max_prompt_tokens=_int(env, "TUTOR_LLM_MAX_PROMPT_TOKENS", 2048),
            slice_tokens=max(1, _int(env, "TUTOR_LLM_SLICE_TOKENS", 16)),
            queue_timeout_s=max(0.1, _float(env, "TUTOR_LLM_QUEUE_TIMEOUT_S", 30.0)),
            remote_url=remote_url,
            remote_model=env.get("TUTOR_LLM_REMOTE_MODEL") or None,
            remote_api_key=env.get("TUTOR_LLM_REMOTE_API_KEY") or None,
        )

    @property
    def missing_setting(self) -> str | None:
        """The variable a user must set before this engine can run, or None when complete."""
        if self.engine == "none":
            return "TUTOR_LLM_MODEL (local weights) or TUTOR_LLM_REMOTE_URL (vLLM server)"
        if self.engine == "local" and not self.model:
            return "TUTOR_LLM_MODEL"
        if self.engine == "remote" and not self.remote_url:
            return "TUTOR_LLM_REMOTE_URL"
        return None
