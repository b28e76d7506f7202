"""pix2tex loads from configured absolute paths and reads a pad picture; engine states are reported."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import pytest
from PIL import Image

from adapters.formula import FormulaConfig, Pix2TexEngine
from tests.fixtures.media import pad_drawing
from tests.fixtures.tiny_models import build_tiny_pix2tex
from tutor.errors import ServiceUnavailableError


@pytest.fixture(scope="module")
def tiny_pix2tex(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build_tiny_pix2tex(tmp_path_factory.mktemp("pix2tex"))


@pytest.fixture(scope="module")
def engine(tiny_pix2tex: tuple[Path, Path]) -> Pix2TexEngine:
    config, checkpoint = tiny_pix2tex
    return Pix2TexEngine(FormulaConfig(checkpoint=checkpoint, config=config))


def _image() -> Image.Image:
    return Image.open(io.BytesIO(pad_drawing()))


def test_recognises_with_confidence_from_token_probabilities(engine: Pix2TexEngine) -> None:
    cwd = os.getcwd()
    root_level = logging.getLogger().level
    result = engine.recognize(_image())
    assert engine.health().state == "ready"
    assert result.engine == "pix2tex"
    assert isinstance(result.latex, str)
    assert 0.0 < result.confidence <= 1.0
    assert 1 <= result.tokens <= 6  # the tiny model's max_seq_len bounds the output
    # loading must not leave the process in pix2tex's folder or with the root logger silenced
    assert os.getcwd() == cwd
    assert logging.getLogger().level == root_level


def test_recognition_is_deterministic(engine: Pix2TexEngine) -> None:
    first = engine.recognize(_image())
    second = engine.recognize(_image())
    assert first == second


def test_not_configured_is_503_naming_the_variable() -> None:
    engine = Pix2TexEngine(FormulaConfig.from_env({"TUTOR_MODEL_DIR": "/nonexistent-models"}))
    assert engine.health().state == "not_configured"
    with pytest.raises(ServiceUnavailableError) as info:
        engine.recognize(_image())
    assert "TUTOR_PIX2TEX_CHECKPOINT" in info.value.message


def test_missing_checkpoint_is_reported_as_failed(tmp_path: Path) -> None:
    env = {"TUTOR_MODEL_DIR": str(tmp_path), "TUTOR_PIX2TEX_CHECKPOINT": "pix2tex/weights.pth"}
    config = FormulaConfig.from_env(env)
    assert config.checkpoint == tmp_path / "pix2tex" / "weights.pth"  # relative -> inside the model dir
    engine = Pix2TexEngine(config)
    assert engine.health().state == "configured"
    with pytest.raises(ServiceUnavailableError) as info:
        engine.load()
    assert "not found" in info.value.message
    health = engine.health()
    assert health.state == "failed" and health.reason is not None and "weights.pth" in health.reason
    with pytest.raises(ServiceUnavailableError):
        engine.ensure_configured()


def test_fetched_checkpoint_in_model_dir_is_found(tmp_path: Path) -> None:
    (tmp_path / "pix2tex").mkdir()
    (tmp_path / "pix2tex" / "weights.pth").write_bytes(b"x")
    config = FormulaConfig.from_env({"TUTOR_MODEL_DIR": str(tmp_path)})
    assert config.checkpoint == tmp_path / "pix2tex" / "weights.pth"
    assert config.config.is_absolute() and config.config.name == "config.yaml"
