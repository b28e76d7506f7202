from __future__ import annotations

from pathlib import Path

import pytest

from adapters.llm.config import LLMConfig
from adapters.llm.registry import resolve_adapter_dirs
from tutor.errors import ServiceUnavailableError


def test_defaults_mean_no_engine_and_name_the_variable() -> None:
    config = LLMConfig.from_env({})
    assert config.engine == "none"
    assert config.missing_setting is not None and "TUTOR_LLM_MODEL" in config.missing_setting


def test_engine_is_inferred_and_values_parsed(tmp_path: Path) -> None:
    local = LLMConfig.from_env(
        {
            "TUTOR_LLM_MODEL": "BelleGroup/BELLE-7B-2M",
            "TUTOR_LLM_ADAPTER_DIR": str(tmp_path),
            "TUTOR_LLM_ADAPTERS": "math@v2, hint",
            "TUTOR_LLM_MAX_BATCH_SIZE": "4",
        }
    )
    assert local.engine == "local" and local.missing_setting is None
    assert local.adapters == ("math@v2", "hint") and local.max_batch_size == 4
    assert local.adapter_dir == tmp_path
    remote = LLMConfig.from_env({"TUTOR_LLM_REMOTE_URL": "http://vllm:8000"})
    assert remote.engine == "remote"
    assert LLMConfig.from_env({"TUTOR_LLM_ENGINE": "remote"}).missing_setting == "TUTOR_LLM_REMOTE_URL"
    with pytest.raises(ValueError, match="TUTOR_LLM_QUANTIZATION"):
        LLMConfig.from_env({"TUTOR_LLM_QUANTIZATION": "2bit"})


def test_newest_adapter_version_is_chosen_naturally(tmp_path: Path) -> None:
    for version in ("v2", "v9", "v10"):
        (tmp_path / "math" / version).mkdir(parents=True)
        (tmp_path / "math" / version / "adapter_config.json").write_text("{}")
    [(ref, path)] = resolve_adapter_dirs(tmp_path, ("math",))
    assert (ref.name, ref.version, path) == ("math", "v10", tmp_path / "math" / "v10")
    [(pinned, _)] = resolve_adapter_dirs(tmp_path, ("math@v2",))
    assert pinned.version == "v2"
    with pytest.raises(ServiceUnavailableError, match="TUTOR_LLM_ADAPTER_DIR"):
        resolve_adapter_dirs(tmp_path, ("geometry",))
    with pytest.raises(ValueError):
        resolve_adapter_dirs(tmp_path, ("../etc",))
