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


def _whisper_base_installed(model_dir: Path) -> bool:
    from adapters.speech.install import whisper_base_installed  # at call time: adapters import this package

    return whisper_base_installed(model_dir)


def _install_whisper_base(model_dir: Path, cache_dir: Path) -> Path:
    from adapters.speech.install import install_whisper_base

    return install_whisper_base(model_dir, cache_dir)


def _smollm2_installed(model_dir: Path) -> bool:
    from adapters.llm.install import smollm2_installed

    return smollm2_installed(model_dir)


def _install_smollm2(model_dir: Path, cache_dir: Path) -> Path:
    from adapters.llm.install import install_smollm2

    return install_smollm2(model_dir, cache_dir)


DEFAULT_INSTALLERS: list[ModelInstaller] = [
    ModelInstaller(
        name="whisper-base",
        description="multilingual Whisper base for faster-whisper (speech in zh and en; 145 MB)",
        installed=_whisper_base_installed,
        install=_install_whisper_base,
    ),
    ModelInstaller(
        name="smollm2",
        description="SmolLM2-135M-Instruct, the embedded default language model (LLaMA; 538 MB float32)",
        installed=_smollm2_installed,
        install=_install_smollm2,
    ),
]
