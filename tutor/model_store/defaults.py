"""The default models ``tutor models install`` assembles; each area appends its own installer here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_INSTALLERS", "ModelInstaller"]


@dataclass(frozen=True, slots=True)
class ModelInstaller:
    """``install(model_dir, cache_dir)`` builds the model under ``model_dir`` and returns its folder;
    ``installed(model_dir)`` says whether a complete copy is already there (then nothing is done)."""

    name: str
    description: str
    installed: Callable[[Path], bool]
    install: Callable[[Path, Path], Path]


DEFAULT_INSTALLERS: list[ModelInstaller] = []
