"""LoRA on the top layers of a causal LM, trained on cached hidden states: affordable on a CPU.

A full LoRA step on the 135M SmolLM2 with the served prompt (about 200 tokens) takes about a minute
on this project's shared 2-core machine. Adapting only the top ``top_layers`` decoder layers keeps the
lower layers frozen, so their output for each training example never changes: it is computed once
(no gradient) and cached; every step then runs only the top layers, the final norm and the output head
(on answer positions only). The adapter saved is an ordinary peft adapter on the full model
(``layers_to_transform``), loaded by ``PeftModel.from_pretrained`` like any other.

The same loop trains non-privately (AdamW over shuffled batches) or with DP-SGD through Opacus
(Poisson sampling, per-sample clipping, noise from :func:`adapters.training.privacy.plan_run`), each
example being one privacy unit (one learner's single contribution).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters._torch_compat import ensure_torchvision_ops
from adapters.training.dataset import BelleExample, dataset_hash
from adapters.training.privacy import PrivacyPlan, plan_run

if TYPE_CHECKING:
    import torch

__all__ = ["DPOptions", "TopLoraConfig", "TopLoraResult", "build_cache", "train_top_lora"]


@dataclass(frozen=True)
class DPOptions:
    """DP-SGD settings; the noise is derived from ``target_epsilon`` at ``delta``."""

    target_epsilon: float = 8.0
    delta: float = 1e-5
    max_grad_norm: float = 1.0
    accountant: str = "prv"


@dataclass(frozen=True)
class TopLoraConfig:
    """What defines a run (recorded in the adapter card)."""

    top_layers: int = 6
    r: int = 16
    alpha: int = 32
    target_modules: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")
    epochs: int = 2
    batch_size: int = 8
    learning_rate: float = 2e-3
    max_seq_len: int = 320
    seed: int = 0
    dp: DPOptions | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TopLoraResult:
    adapter_dir: Path
    steps: int
    losses: list[float]
    seconds: float
    cache_seconds: float
    examples: int
    dataset_hash: str
    layers: list[int]
    plan: PrivacyPlan | None = None
    epsilon_spent: float | None = None


@dataclass(slots=True)
class _Cached:
    hidden: Any  # [T, H] float32, input of the first adapted layer
    labels: Any  # [T] long, -100 on prompt positions


@contextmanager
def _only_layers(model: Any, layers: Sequence[Any]) -> Iterator[None]:
    """Run the decoder with a subset of its layers (restored afterwards)."""
    import torch

    inner = model.model
    saved = inner.layers
    inner.layers = torch.nn.ModuleList(layers)
    try:
        yield
    finally:
        inner.layers = saved


def _encode(tokenizer: Any, example: BelleExample, max_len: int) -> tuple[list[int], list[int]]:
    from adapters.training.dataset import format_prompt

    prompt = tokenizer(format_prompt(example), add_special_tokens=False)["input_ids"]
    answer = tokenizer(example.output, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    return (prompt + answer)[:max_len], ([-100] * len(prompt) + answer)[:max_len]


def _cache(
    model: Any, tokenizer: Any, examples: Sequence[BelleExample], split: int, max_len: int, batch: int = 8
) -> list[_Cached]:
    """Hidden states entering layer ``split`` for each example (bottom layers, no gradient).

    Batched with right padding: under a causal mask the real tokens never see the padding.
    """
    import torch

    captured: list[Any] = []
    bottom = list(model.model.layers[:split])

    def hook(_module: Any, _args: Any, output: Any) -> None:
        captured.append(output[0] if isinstance(output, tuple) else output)

    handle = bottom[-1].register_forward_hook(hook)
    out: list[_Cached] = []
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    try:
        with torch.no_grad(), _only_layers(model, bottom):
            for start in range(0, len(examples), batch):
                encoded = [_encode(tokenizer, e, max_len) for e in examples[start : start + batch]]
                width = max(len(ids) for ids, _ in encoded)
                ids = torch.full((len(encoded), width), pad, dtype=torch.long)
                mask = torch.zeros((len(encoded), width), dtype=torch.long)
                for i, (row, _) in enumerate(encoded):
                    ids[i, : len(row)], mask[i, : len(row)] = torch.tensor(row), 1
                captured.clear()
                model.model(input_ids=ids, attention_mask=mask, use_cache=False)
                for i, (row, labels) in enumerate(encoded):
                    out.append(_Cached(captured[-1][i, : len(row)].detach().clone(), torch.tensor(labels)))
    finally:
        handle.remove()
    return out


def build_cache(
    base_model_path: Path, examples: Sequence[BelleExample], config: TopLoraConfig
) -> list[_Cached]:
    """The frozen part of the work, shared by several runs with the same ``top_layers``."""
    ensure_torchvision_ops()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(base_model_path))
    base = AutoModelForCausalLM.from_pretrained(str(base_model_path))
    base.eval()
    split = max(1, len(base.model.layers) - config.top_layers)
    return _cache(base, tokenizer, examples, split, config.max_seq_len)


def _collate(rows: Sequence[_Cached]) -> dict[str, Any]:
    import torch

    width = max((r.hidden.shape[0] for r in rows), default=1)
    size = rows[0].hidden.shape[1] if rows else 1
    hidden = torch.zeros((len(rows), width, size))
    labels = torch.full((len(rows), width), -100, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        n = row.hidden.shape[0]
        hidden[i, :n], labels[i, :n], mask[i, :n] = row.hidden, row.labels, 1
    return {"hidden": hidden, "labels": labels, "attention_mask": mask}


class _Top:
    """Callable over cached hidden states: top layers + norm + head on answer positions -> per-row loss."""

    def __init__(self, model: Any, split: int) -> None:
        self.model, self.split = model, split
        self.top = list(model.model.layers[split:])

    def __call__(self, hidden: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        import torch

        with _only_layers(self.model, self.top):
            states = self.model.model(inputs_embeds=hidden, attention_mask=mask, use_cache=False)[0]
        target = labels[:, 1:]
        picked = target != -100
        logits = self.model.lm_head(states[:, :-1][picked])
        token_loss = torch.nn.functional.cross_entropy(logits, target[picked], reduction="none")
        rows = picked.nonzero()[:, 0]
        per_row = torch.zeros(hidden.shape[0], dtype=token_loss.dtype).index_add(0, rows, token_loss)
        return per_row / picked.sum(dim=1).clamp(min=1)


class _TopModule:
    """An ``nn.Module`` around :class:`_Top` so Opacus can wrap it (built lazily: torch import)."""

    @staticmethod
    def build(top: _Top) -> Any:
        import torch

        class TopModule(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.layers = torch.nn.ModuleList(top.top)  # registered: Opacus hooks the LoRA inside

            def forward(self, hidden: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
                return top(hidden, labels, mask)

        return TopModule()


def train_top_lora(
    base_model_path: Path,
    examples: Sequence[BelleExample],
    config: TopLoraConfig,
    output_dir: Path,
    *,
    progress: Callable[[int, int, float], None] | None = None,
    cached: list[_Cached] | None = None,
) -> TopLoraResult:
    """Train, save the adapter to ``output_dir`` and return the run's record."""
    ensure_torchvision_ops()
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.monotonic()
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_path))
    base = AutoModelForCausalLM.from_pretrained(str(base_model_path))
    base.eval()
    depth = len(base.model.layers)
    split = max(1, depth - config.top_layers)
    layers = list(range(split, depth))
    if cached is None:
        cached = _cache(base, tokenizer, examples, split, config.max_seq_len)
    cache_seconds = time.monotonic() - started

    model = get_peft_model(
        base,
        LoraConfig(
            r=config.r,
            lora_alpha=config.alpha,
            lora_dropout=0.0,
            target_modules=list(config.target_modules),
            layers_to_transform=layers,
            task_type="CAUSAL_LM",
        ),
    )
    inner = model.base_model.model
    top = _Top(inner, split)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=0.0)
    losses: list[float] = []
    plan: PrivacyPlan | None = None
    epsilon: float | None = None
    step = 0
    if config.dp is None:
        total = config.epochs * math.ceil(len(cached) / config.batch_size)
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.05, 1 - s / max(1, total)))
        for _ in range(config.epochs):
            order = list(range(len(cached)))
            rng.shuffle(order)
            for start in range(0, len(order), config.batch_size):
                batch = _collate([cached[i] for i in order[start : start + config.batch_size]])
                loss = top(batch["hidden"], batch["labels"], batch["attention_mask"]).mean()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimizer.step()
                schedule.step()
                step += 1
                losses.append(float(loss.detach()))
                if progress is not None:
                    progress(step, total, losses[-1])
    else:
        step, plan, epsilon = _train_private(top, cached, config, config.dp, optimizer, losses, progress)
    model.eval()
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(output_dir))
    return TopLoraResult(
        adapter_dir=output_dir,
        steps=step,
        losses=losses,
        seconds=time.monotonic() - started,
        cache_seconds=cache_seconds,
        examples=len(examples),
        dataset_hash=dataset_hash(examples),
        layers=layers,
        plan=plan,
        epsilon_spent=epsilon,
    )


def _train_private(
    top: _Top,
    cached: list[_Cached],
    config: TopLoraConfig,
    dp: DPOptions,
    optimizer: Any,
    losses: list[float],
    progress: Callable[[int, int, float], None] | None,
) -> tuple[int, PrivacyPlan, float]:
    """DP-SGD with Opacus: Poisson batches of examples, per-sample clipping, calibrated noise."""
    import torch
    from opacus import PrivacyEngine
    from torch.utils.data import DataLoader, Dataset

    plan = plan_run(
        learner_count=len(cached),
        expected_batch_size=config.batch_size,
        epochs=config.epochs,
        delta=dp.delta,
        accountant="prv" if dp.accountant == "prv" else "rdp",
        target_epsilon=dp.target_epsilon,
    )

    class Rows(Dataset[tuple[Any, Any]]):
        def __len__(self) -> int:
            return len(cached)

        def __getitem__(self, index: int) -> tuple[Any, Any]:
            return cached[index].hidden, cached[index].labels

    def collate(batch: list[tuple[Any, Any]]) -> dict[str, Any]:
        if not batch:
            return {
                "hidden": torch.zeros((0, 1, cached[0].hidden.shape[1])),
                "labels": None,
                "attention_mask": None,
            }
        return _collate([_Cached(h, lab) for h, lab in batch])

    module = _TopModule.build(top)
    module.train()
    loader = DataLoader(Rows(), batch_size=config.batch_size, collate_fn=collate)
    engine = PrivacyEngine(accountant=plan.accountant)
    private, private_opt, private_loader = engine.make_private(
        module=module,
        optimizer=optimizer,
        data_loader=loader,
        noise_multiplier=plan.noise_multiplier,
        max_grad_norm=dp.max_grad_norm,
        poisson_sampling=True,
        grad_sample_mode="hooks",
        noise_generator=torch.Generator().manual_seed(config.seed),
    )
    step = 0
    for _ in range(config.epochs):
        for batch in private_loader:
            private_opt.zero_grad(set_to_none=True)
            if batch["labels"] is None:  # empty Poisson batch: the noise-only step still happens
                for param in private_opt.params:
                    param.grad_sample = torch.zeros((0, *param.shape), dtype=param.dtype)
            else:
                loss = private(batch["hidden"], batch["labels"], batch["attention_mask"]).mean()
                loss.backward()
                losses.append(float(loss.detach()))
            private_opt.step()
            step += 1
            if progress is not None:
                progress(step, plan.steps, losses[-1] if losses else math.nan)
    return step, plan, float(engine.get_epsilon(dp.delta))
