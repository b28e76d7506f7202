"""Top-layer LoRA over cached hidden states (what trains the shipped math LoRA on a CPU), on a tiny
real LLaMA: the saved adapter is an ordinary peft adapter on the full model, only the top layers are
adapted, training lowers the loss the full model sees, and the DP run spends the planned epsilon."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.training.testing import arithmetic_examples, build_tiny_base_model, corpus_texts
from adapters.training.top_lora import DPOptions, TopLoraConfig, build_cache, train_top_lora
from adapters.training.trainer import encode_batch, load_base, per_sample_loss


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = corpus_texts(arithmetic_examples(200))
    return build_tiny_base_model(tmp_path_factory.mktemp("llama"), texts, arch="llama", num_layers=4)


def _full_model_loss(base: Path, adapter: Path | None, examples: list) -> float:  # type: ignore[type-arg]
    import torch
    from peft import PeftModel

    model, tokenizer = load_base(base)
    if adapter is not None:
        model = PeftModel.from_pretrained(model, str(adapter))
    model.eval()
    with torch.no_grad():
        return float(per_sample_loss(model, encode_batch(tokenizer, examples, 128)).mean())


def test_the_adapter_trained_on_cached_states_improves_the_full_model(base: Path, tmp_path: Path) -> None:
    import json

    examples = arithmetic_examples(48)
    config = TopLoraConfig(
        top_layers=2, r=8, alpha=16, epochs=4, batch_size=8, learning_rate=1e-2, max_seq_len=128
    )
    result = train_top_lora(base, examples, config, tmp_path / "lora")
    assert result.layers == [2, 3] and result.steps == 24
    adapter_config = json.loads((tmp_path / "lora" / "adapter_config.json").read_text())
    assert adapter_config["layers_to_transform"] == [2, 3]
    assert sorted(adapter_config["target_modules"]) == ["k_proj", "o_proj", "q_proj", "v_proj"]
    before, after = (
        _full_model_loss(base, None, examples),
        _full_model_loss(base, tmp_path / "lora", examples),
    )
    assert after < before * 0.95, (before, after)  # the full model (no cache) sees the improvement


def test_a_private_run_spends_the_planned_epsilon(base: Path, tmp_path: Path) -> None:
    examples = arithmetic_examples(40)
    dp = DPOptions(target_epsilon=8.0, delta=1e-3, accountant="rdp")
    config = TopLoraConfig(
        top_layers=2, r=4, alpha=8, epochs=2, batch_size=10, learning_rate=1e-2, max_seq_len=128, dp=dp
    )
    cached = build_cache(base, examples, config)  # shared by several runs
    result = train_top_lora(base, examples, config, tmp_path / "dp", cached=cached)
    assert result.plan is not None and result.epsilon_spent is not None
    assert (
        result.epsilon_spent == pytest.approx(result.plan.epsilon, rel=0.05) and result.epsilon_spent <= 8.0
    )
    assert result.steps == result.plan.steps
    assert (tmp_path / "dp" / "adapter_model.safetensors").is_file()
    from safetensors import safe_open

    with safe_open(str(tmp_path / "dp" / "adapter_model.safetensors"), "pt") as weights:
        keys = list(weights.keys())
    assert keys and not any("_module." in key for key in keys)  # saved unwrapped: names peft can load
    assert all(".layers.2." in key or ".layers.3." in key for key in keys)
