"""Tiny random-weight BELLE look-alikes for tests and benchmarks (no model hub needed).

Builds a BLOOM or LLaMA causal LM (hidden 64, 2 layers), a byte-level BPE tokenizer trained on the
prompt templates, and LoRA adapters with BELLE's defaults, all saved with ``save_pretrained`` so the
engine loads them through the same ``from_pretrained`` / ``PeftModel.from_pretrained`` path as real
weights. The text they produce is gibberish; structure, batching and streaming are real.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from adapters._torch_compat import ensure_torchvision_ops
from adapters.llm.schemas import AdapterRef, EngineHealth, GenerationRequest, GenerationResult

__all__ = ["ScriptedEngine", "build_tiny_belle", "parse_sse", "shared_tiny_belle", "tiny_llm_env"]

Family = Literal["bloom", "llama"]

_CORPUS_EXTRA = [
    "Human: \n解方程 2x + 3 = 7\n\nAssistant: \n1. 2x = 7 - 3\n2. 2x = 4\n3. x = 2\n答案：\\boxed{2}",
    "Human: \nSolve 3x - 5 = 10\n\nAssistant: \n1. 3x = 15\n2. x = 5\nAnswer: \\boxed{5}",
    '{"items": [{"stem": "x + 1 = 2", "answer": "1", "steps": ["x = 2 - 1"]}]}',
    "0123456789 + - * / = ( ) { } [ ] x y z \\frac \\sqrt ^ _",
]


def _train_tokenizer(out: Path) -> None:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    corpus = list(_CORPUS_EXTRA)
    for lang in ("zh", "en"):
        corpus.append(
            resources.files("adapters").joinpath("prompts", f"belle.{lang}.yaml").read_text("utf-8")
        )
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600,
        special_tokens=["<pad>", "<s>", "</s>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(corpus * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>")
    fast.save_pretrained(out)


def build_tiny_belle(
    root: Path,
    family: Family = "llama",
    adapters: tuple[tuple[str, str], ...] = (("math", "v1"),),
    seed: int = 0,
) -> tuple[Path, Path]:
    """Save a tiny base model to ``root/base`` and LoRAs to ``root/adapters/<name>/<version>``.

    Returns ``(model_dir, adapter_dir)``. LoRA B matrices are randomised (peft starts them at zero)
    so each adapter really changes the outputs.
    """
    ensure_torchvision_ops()
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoTokenizer, BloomConfig, BloomForCausalLM, LlamaConfig, LlamaForCausalLM

    model_dir = root / "base"
    adapter_dir = root / "adapters"
    _train_tokenizer(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    ids = {
        "vocab_size": len(tokenizer),
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }
    torch.manual_seed(seed)
    targets: list[str]
    model: Any
    if family == "bloom":
        model = BloomForCausalLM(BloomConfig(hidden_size=64, n_layer=2, n_head=4, **ids))
        targets = ["query_key_value"]
    else:
        config = LlamaConfig(
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=4,
            max_position_embeddings=4096,
            **ids,
        )
        model = LlamaForCausalLM(config)
        targets = ["q_proj", "k_proj", "v_proj", "o_proj"]
    model.save_pretrained(model_dir)
    for i, (name, version) in enumerate(adapters):
        base = (BloomForCausalLM if family == "bloom" else LlamaForCausalLM).from_pretrained(model_dir)
        lora = LoraConfig(
            r=16, lora_alpha=32, lora_dropout=0.05, target_modules=targets, task_type="CAUSAL_LM"
        )
        peft_model = get_peft_model(base, lora)
        torch.manual_seed(seed + 100 + i)
        with torch.no_grad():
            for pname, param in peft_model.named_parameters():
                if "lora_B" in pname:
                    param.normal_(0.0, 0.5)
        peft_model.save_pretrained(str(adapter_dir / name / version))
    return model_dir, adapter_dir


_shared: dict[str, tuple[Path, Path]] = {}


def shared_tiny_belle(family: Family = "llama") -> tuple[Path, Path]:
    """One tiny model (math + hint LoRAs) per process and family, in a temp dir, built on first use."""
    if family not in _shared:
        import atexit
        import shutil
        import tempfile

        root = Path(tempfile.mkdtemp(prefix=f"tiny-belle-{family}-"))
        atexit.register(shutil.rmtree, root, True)
        _shared[family] = build_tiny_belle(root, family, (("math", "v1"), ("hint", "v1")))
    return _shared[family]


def tiny_llm_env(family: Family = "llama") -> dict[str, str]:
    """``TUTOR_LLM_*`` variables pointing an app at the shared tiny model (math LoRA first)."""
    model_dir, adapter_dir = shared_tiny_belle(family)
    return {
        "TUTOR_LLM_MODEL": str(model_dir),
        "TUTOR_LLM_ADAPTER_DIR": str(adapter_dir),
        "TUTOR_LLM_ADAPTERS": "math,hint",
    }


def parse_sse(body: str) -> list[tuple[str, str]]:
    """``(event, data)`` pairs of a Server-Sent Events body, multi-line data joined with newlines."""
    events: list[tuple[str, str]] = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        event: str | None = None
        data: str | None = None
        for line in block.split("\n"):
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip() if data is None else data + "\n" + line[5:].strip()
        if event:
            events.append((event, data or ""))
    return events


class ScriptedEngine:
    """An LLMEngine that says fixed texts in turn.

    For tests about what surrounds the model (checking, storing, auditing), where a random-weight
    model could never write a correct solution or valid JSON.
    """

    name = "scripted"
    model_name = "scripted-belle"

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)
        self.requests: list[GenerationRequest] = []

    async def load(self) -> None:
        return None

    def health(self) -> EngineHealth:
        return EngineHealth(status="ok", engine=self.name, model=self.model_name)

    def resolve_adapter(self, adapter: str | None) -> AdapterRef | None:
        return None if adapter == "" else AdapterRef(name="math", version="v1")

    async def ensure_adapter(self, name: str, version: str, path: Path) -> AdapterRef:
        return AdapterRef(name=name, version=version)

    def count_tokens(self, text: str) -> int:
        return len(text)

    async def generate(self, requests: Sequence[GenerationRequest]) -> list[GenerationResult]:
        self.requests.extend(requests)
        return [
            GenerationResult(
                texts=[self.texts.pop(0)],
                model=self.model_name,
                adapter=self.resolve_adapter(r.adapter),
                prompt_tokens=self.count_tokens(r.prompt),
                generated_tokens=1,
            )
            for r in requests
        ]

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[str, None]:
        self.requests.append(request)
        for piece in self.texts.pop(0).split(" "):
            yield piece + " "

    async def close(self) -> None:
        return None
