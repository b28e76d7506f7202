"""Where the pix2tex weights are: absolute paths only, because pix2tex resolves relative ones
against its own package folder (and downloads when a file is missing)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from adapters.media.engine_state import model_dir_from_env, resolve_path

__all__ = ["FormulaConfig", "packaged_pix2tex_config"]


def packaged_pix2tex_config() -> Path:
    """The config.yaml shipped with pix2tex: it matches the public ``weights.pth`` checkpoint."""
    import importlib.util

    spec = importlib.util.find_spec("pix2tex")
    if spec is None or spec.origin is None:
        raise RuntimeError("pix2tex is not installed")
    return Path(spec.origin).parent / "model" / "settings" / "config.yaml"


@dataclass(frozen=True, slots=True)
class FormulaConfig:
    """``checkpoint`` None means formula recognition is not configured (routes answer 503)."""

    checkpoint: Path | None
    config: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> FormulaConfig:
        """``TUTOR_PIX2TEX_CHECKPOINT`` (default ``<model dir>/pix2tex/weights.pth`` if present),
        ``TUTOR_PIX2TEX_CONFIG`` (default: pix2tex's packaged config.yaml)."""
        model_dir = model_dir_from_env(env)
        raw_ckpt = env.get("TUTOR_PIX2TEX_CHECKPOINT")
        checkpoint: Path | None
        if raw_ckpt:
            checkpoint = resolve_path(raw_ckpt, model_dir)
        else:
            fetched = model_dir / "pix2tex" / "weights.pth"
            checkpoint = fetched if fetched.is_file() else None
        raw_cfg = env.get("TUTOR_PIX2TEX_CONFIG")
        config = resolve_path(raw_cfg, model_dir) if raw_cfg else packaged_pix2tex_config()
        return cls(checkpoint=checkpoint, config=config)

    def missing(self) -> str | None:
        """What the operator must set, or None when configured."""
        if self.checkpoint is None:
            return (
                "set TUTOR_PIX2TEX_CHECKPOINT to the absolute path of a pix2tex weights.pth "
                "(run `tutor models fetch --pix2tex` on a machine with internet)"
            )
        return None
