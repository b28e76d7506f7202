"""DP-SGD LoRA training with Opacus + peft, with learners (not examples) as the privacy unit.

Why the loss is computed here instead of by the model: Hugging Face averages over *all* tokens of a
batch, which couples one sample's gradient to the other samples' lengths and breaks the per-sample
sensitivity argument. We average tokens per sample, then average samples (Opacus ``loss_reduction``
"mean"), so each learner's clipped gradient is independent of everyone else's.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from adapters._torch_compat import ensure_torchvision_ops
from adapters.training.bound import LearnerPools
from adapters.training.dataset import BelleExample, dataset_hash, format_prompt
from adapters.training.lora import LoraSpec, target_modules_for
from adapters.training.privacy import Accountant, PrivacyPlan, plan_run
from adapters.training.sanity import SanityReport, max_abs_delta, snapshot_lora
from tutor.errors import UnprocessableError

if TYPE_CHECKING:
    import torch

__all__ = [
    "DPTrainConfig",
    "TrainProgress",
    "TrainResult",
    "encode_batch",
    "load_base",
    "per_sample_loss",
    "train_dp_lora",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DPTrainConfig:
    """Everything that defines a private run; ``plan`` gives its epsilon before it starts."""

    lora: LoraSpec = field(default_factory=LoraSpec)
    epochs: int = 3
    expected_batch_size: int = 64
    delta: float = 1e-5
    target_epsilon: float | None = 3.0
    noise_multiplier: float | None = None
    max_grad_norm: float = 1.0
    accountant: Accountant = "prv"
    learning_rate: float = 2e-3
    max_seq_len: int = 512
    examples_per_learner: int = 20
    grad_sample_mode: Literal["hooks", "functorch"] = "hooks"
    epsilon_every: int = 10
    probe_size: int = 32
    # None = OS randomness. A known seed lets anyone replay the sampling and noise: tests only.
    seed: int | None = None
    max_epsilon: float = 100.0

    def plan(self, learner_count: int) -> PrivacyPlan:
        return plan_run(
            learner_count=learner_count,
            expected_batch_size=self.expected_batch_size,
            epochs=self.epochs,
            delta=self.delta,
            accountant=self.accountant,
            target_epsilon=self.target_epsilon if self.noise_multiplier is None else None,
            noise_multiplier=self.noise_multiplier,
            max_epsilon=self.max_epsilon,
        )


@dataclass(frozen=True)
class TrainProgress:
    step: int
    total_steps: int
    loss: float
    epsilon: float


@dataclass(frozen=True)
class TrainResult:
    adapter_dir: Path
    plan: PrivacyPlan
    epsilon_spent: float
    steps: int
    losses: list[float]
    sanity: SanityReport
    dataset_hash: str
    target_modules: tuple[str, ...]
    seconds: float
    empty_batches: int = 0


class _Encoded:
    """Token ids with prompt positions masked out of the labels."""

    def __init__(self, tokenizer: Any, example: BelleExample, max_len: int) -> None:
        prompt = tokenizer(format_prompt(example), add_special_tokens=False)["input_ids"]
        answer = tokenizer(example.output, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
        self.ids: list[int] = (prompt + answer)[:max_len]
        self.labels: list[int] = ([-100] * len(prompt) + answer)[:max_len]


def _make_dataset(pools: list[list[_Encoded]], rng: random.Random) -> Any:
    import torch
    from torch.utils.data import Dataset

    class LearnerDataset(Dataset[tuple[torch.Tensor, torch.Tensor]]):
        """Item ``i`` is learner ``i``: one example drawn uniformly from that learner's capped pool."""

        def __len__(self) -> int:
            return len(pools)

        def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
            chosen = rng.choice(pools[index])
            return torch.tensor(chosen.ids), torch.tensor(chosen.labels)

    return LearnerDataset()


Batch = dict[str, "torch.Tensor"]


def _collate(pad_id: int) -> Callable[[list[tuple[torch.Tensor, torch.Tensor]]], Batch]:
    """Right-pad a batch; an empty list (empty Poisson batch) gives zero-row tensors."""
    import torch

    def collate(batch: list[tuple[torch.Tensor, torch.Tensor]]) -> Batch:
        width = max((len(ids) for ids, _ in batch), default=1)
        ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, (row_ids, row_labels) in enumerate(batch):
            ids[row, : len(row_ids)] = row_ids
            labels[row, : len(row_labels)] = row_labels
            mask[row, : len(row_ids)] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}

    return collate


def encode_batch(tokenizer: Any, examples: Sequence[BelleExample], max_len: int) -> Batch:
    """Tokenise and pad examples as training sees them (prompt masked out of the labels)."""
    import torch

    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    encoded = [_Encoded(tokenizer, e, max_len) for e in examples]
    return _collate(pad_id)([(torch.tensor(e.ids), torch.tensor(e.labels)) for e in encoded])


def per_sample_loss(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Mean next-token loss of each row over its answer tokens (shape ``[batch]``)."""
    import torch

    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    shifted = logits[:, :-1, :]
    target = batch["labels"][:, 1:]
    token_loss = torch.nn.functional.cross_entropy(
        shifted.reshape(-1, shifted.size(-1)), target.reshape(-1), ignore_index=-100, reduction="none"
    ).view(target.shape)
    counts = (target != -100).sum(dim=1).clamp(min=1)
    return token_loss.sum(dim=1) / counts


def _mean_loss(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> float:
    import torch

    with torch.no_grad():
        return float(per_sample_loss(model, batch).mean())


def _logits(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    import torch

    with torch.no_grad():
        return model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits


def load_base(base_model_path: Path) -> tuple[Any, Any]:
    """Base causal LM and tokenizer from a local directory (no hub access)."""
    ensure_torchvision_ops()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not (base_model_path / "config.json").is_file():
        raise UnprocessableError(f"Base model directory has no config.json: {base_model_path.name}")
    tokenizer = AutoTokenizer.from_pretrained(str(base_model_path))
    model = AutoModelForCausalLM.from_pretrained(str(base_model_path))
    return model, tokenizer


def _report(
    progress: Callable[[TrainProgress], None] | None,
    engine: Any,
    config: DPTrainConfig,
    plan: PrivacyPlan,
    step: int,
    losses: list[float],
) -> None:
    if progress is not None and (step % config.epsilon_every == 0 or step == plan.steps):
        epsilon = float(engine.get_epsilon(config.delta))
        progress(TrainProgress(step, plan.steps, losses[-1] if losses else math.nan, epsilon))


def train_dp_lora(
    base_model_path: Path,
    learners: LearnerPools,
    config: DPTrainConfig,
    output_dir: Path,
    *,
    progress: Callable[[TrainProgress], None] | None = None,
) -> TrainResult:
    """Train a LoRA with DP-SGD over ``learners``, save it to ``output_dir`` and run the sanity checks."""
    ensure_torchvision_ops()
    import torch
    from opacus import PrivacyEngine
    from peft import LoraConfig, PeftModel, get_peft_model
    from torch.utils.data import DataLoader

    started = time.monotonic()
    plan = config.plan(learners.learner_count)
    rng = random.Random(config.seed) if config.seed is not None else random.SystemRandom()
    if config.seed is not None:
        torch.manual_seed(config.seed)

    base, tokenizer = load_base(base_model_path)
    targets = target_modules_for(base.config.model_type, config.lora)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    pools = [[_Encoded(tokenizer, e, config.max_seq_len) for e in pool] for pool in learners.pools]
    collate = _collate(pad_id)
    probe = collate([(torch.tensor(p[0].ids), torch.tensor(p[0].labels)) for p in pools[: config.probe_size]])

    model = get_peft_model(
        base,
        LoraConfig(
            r=config.lora.r,
            lora_alpha=config.lora.alpha,
            lora_dropout=config.lora.dropout,
            target_modules=list(targets),
            task_type="CAUSAL_LM",
        ),
    )
    model.eval()
    loss_before = _mean_loss(model, probe)
    before = snapshot_lora(model)

    loader = DataLoader(
        _make_dataset(pools, rng),
        batch_size=min(config.expected_batch_size, learners.learner_count),
        collate_fn=collate,
    )
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=config.learning_rate, weight_decay=0.0
    )
    engine = PrivacyEngine(accountant=config.accountant)
    generator = torch.Generator().manual_seed(config.seed) if config.seed is not None else None
    model.train()
    private_model, private_opt, private_loader = engine.make_private(
        module=model,
        optimizer=optimizer,
        data_loader=loader,
        noise_multiplier=plan.noise_multiplier,
        max_grad_norm=config.max_grad_norm,
        poisson_sampling=True,
        grad_sample_mode=config.grad_sample_mode,
        noise_generator=generator,
    )

    losses: list[float] = []
    step = 0
    empty_batches = 0
    for _ in range(config.epochs):
        for batch in private_loader:
            private_opt.zero_grad(set_to_none=True)
            if batch["input_ids"].shape[0] == 0:
                # Empty Poisson batch: no forward pass (models reject zero rows), but the noise-only
                # step still happens, as the accounting assumes.
                for param in private_opt.params:
                    param.grad_sample = torch.zeros((0, *param.shape), dtype=param.dtype)
                private_opt.step()
                step += 1
                empty_batches += 1
                _report(progress, engine, config, plan, step, losses)
                continue
            loss = per_sample_loss(private_model, batch).mean()
            loss.backward()
            private_opt.step()
            losses.append(float(loss.detach()))
            step += 1
            _report(progress, engine, config, plan, step, losses)
    epsilon = float(engine.get_epsilon(config.delta))

    trained: torch.nn.Module = private_model._module
    trained.eval()
    after = snapshot_lora(trained)
    loss_after = _mean_loss(trained, probe)
    trained_logits = _logits(trained, probe)
    output_dir.mkdir(parents=True, exist_ok=True)
    # Save from the unwrapped module: through the Opacus wrapper names gain a ``_module.`` prefix.
    trained.save_pretrained(str(output_dir))  # type: ignore[operator]

    fresh_base, _ = load_base(base_model_path)
    fresh_base.eval()
    base_logits = _logits(fresh_base, probe)
    reloaded = PeftModel.from_pretrained(fresh_base, str(output_dir))
    reloaded.eval()
    reloaded_logits = _logits(reloaded, probe)
    sanity = SanityReport(
        max_lora_delta=max_abs_delta(before, after),
        loss_before=loss_before,
        loss_after=loss_after,
        reload_max_logit_diff=float((reloaded_logits - trained_logits).abs().max()),
        adapter_effect=float((trained_logits - base_logits).abs().max()),
    )
    return TrainResult(
        adapter_dir=output_dir,
        plan=plan,
        epsilon_spent=epsilon,
        steps=step,
        losses=losses,
        sanity=sanity,
        dataset_hash=dataset_hash(learners.flat()),
        target_modules=targets,
        seconds=time.monotonic() - started,
        empty_batches=empty_batches,
    )
