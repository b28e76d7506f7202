"""Tiny random BELLE-shaped base models for tests, benches and demos (there is no model hub offline).

A real ``LlamaForCausalLM``/``BloomForCausalLM`` with a few thousand parameters and a byte-level BPE
tokenizer trained on the given texts, saved with ``save_pretrained`` so the production loading path
(``AutoModelForCausalLM.from_pretrained`` + ``PeftModel``) is the one exercised.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from adapters._torch_compat import ensure_torchvision_ops
from adapters.training.dataset import BelleExample, format_prompt

__all__ = [
    "arithmetic_examples",
    "arithmetic_learners",
    "build_tiny_base_model",
    "corpus_texts",
]


def build_tiny_base_model(
    out_dir: Path,
    texts: Iterable[str],
    *,
    arch: Literal["llama", "bloom"] = "llama",
    hidden_size: int = 64,
    num_layers: int = 2,
    vocab_size: int = 512,
    seed: int = 0,
) -> Path:
    """Train a tokenizer on ``texts``, build a random tiny causal LM and save both to ``out_dir``."""
    ensure_torchvision_ops()
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (
        BloomConfig,
        BloomForCausalLM,
        LlamaConfig,
        LlamaForCausalLM,
        PreTrainedTokenizerFast,
    )

    specials = ["<pad>", "<unk>", "<s>", "</s>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(list(texts), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>", bos_token="<s>", eos_token="</s>"
    )
    torch.manual_seed(seed)
    n_vocab = fast.vocab_size if hasattr(fast, "vocab_size") else len(fast)
    model: torch.nn.Module
    if arch == "llama":
        config = LlamaConfig(
            vocab_size=n_vocab,
            hidden_size=hidden_size,
            intermediate_size=hidden_size * 2,
            num_hidden_layers=num_layers,
            num_attention_heads=4,
            num_key_value_heads=4,
            max_position_embeddings=256,
            pad_token_id=fast.pad_token_id,
            bos_token_id=fast.bos_token_id,
            eos_token_id=fast.eos_token_id,
        )
        model = LlamaForCausalLM(config)
    else:
        bconfig = BloomConfig(
            vocab_size=n_vocab,
            hidden_size=hidden_size,
            n_layer=num_layers,
            n_head=4,
            pad_token_id=fast.pad_token_id,
            bos_token_id=fast.bos_token_id,
            eos_token_id=fast.eos_token_id,
        )
        model = BloomForCausalLM(bconfig)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)  # type: ignore[operator]
    fast.save_pretrained(out_dir)
    return out_dir


def arithmetic_examples(count: int, *, seed: int = 0) -> list[BelleExample]:
    """BELLE-style Chinese addition word problems with step-by-step solutions (a learnable toy task)."""
    rng = random.Random(seed)
    examples = []
    for _ in range(count):
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        examples.append(
            BelleExample(
                instruction=f"小明有{a}个苹果，又买了{b}个，一共有几个？",
                output=f"解：{a}+{b}={a + b}。答：一共有{a + b}个。",
            )
        )
    return examples


def arithmetic_learners(learners: int, per_learner: int, *, seed: int = 0) -> dict[str, list[BelleExample]]:
    """``learners`` pseudonymous learners with ``per_learner`` toy examples each."""
    flat = arithmetic_examples(learners * per_learner, seed=seed)
    return {f"learner-{i:04d}": flat[i * per_learner : (i + 1) * per_learner] for i in range(learners)}


def corpus_texts(examples: Iterable[BelleExample]) -> list[str]:
    """Prompt + answer texts, what the tokenizer must cover."""
    return [format_prompt(e) + e.output for e in examples]
