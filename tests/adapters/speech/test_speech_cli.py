"""``tutor models fetch`` is mountable and does nothing surprising when asked for nothing."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tutor.cli_models import models


def test_fetch_with_nothing_selected_prints_the_model_dir(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        models, ["fetch", "--whisper", "", "--no-pix2tex", "--model-dir", str(tmp_path / "m")]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"TUTOR_MODEL_DIR={(tmp_path / 'm').resolve()}"


def test_unknown_whisper_size_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(models, ["fetch", "--whisper", "gigantic", "--model-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown whisper size" in result.output
