"""DP-SGD step vs non-private step on the same LoRA and batch; epsilon of a typical school run.

Run: ``.venv/bin/python bench/bench_dp_step.py``. Prints the figures and writes
``bench/results/dp_step.json``. Timings are medians over interleaved steps (DP and non-DP alternate,
so machine noise hits both); the ratio is the figure to quote, not the absolute seconds.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import msgspec

from adapters._torch_compat import ensure_torchvision_ops
from adapters.training.dataset import BelleExample
from adapters.training.privacy import plan_run
from adapters.training.testing import arithmetic_examples, build_tiny_base_model, corpus_texts

RESULTS = Path(__file__).parent / "results" / "dp_step.json"


def _step_timings(args: argparse.Namespace) -> dict[str, Any]:
    ensure_torchvision_ops()
    import torch
    from opacus import GradSampleModule
    from opacus.optimizers import DPOptimizer
    from peft import LoraConfig, get_peft_model

    from adapters.training.trainer import encode_batch, load_base, per_sample_loss

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    # Long solutions (several worked problems per answer) approach BELLE's school_math lengths.
    examples = [
        BelleExample(instruction=e.instruction, output=" ".join([e.output] * args.repeat))
        for e in arithmetic_examples(args.batch, seed=1)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        base_dir = build_tiny_base_model(
            Path(tmp), corpus_texts(arithmetic_examples(300)), hidden_size=args.hidden, num_layers=args.layers
        )
        base, tokenizer = load_base(base_dir)
    lora = LoraConfig(
        r=16, lora_alpha=32, lora_dropout=0.05, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"]
    )
    plain = get_peft_model(base, lora)
    batch = encode_batch(tokenizer, examples, 512)
    results: dict[str, Any] = {
        "model": f"llama hidden={args.hidden} layers={args.layers}",
        "batch": args.batch,
        "seq_len": int(batch["input_ids"].shape[1]),
        "trainable_params": sum(p.numel() for p in plain.parameters() if p.requires_grad),
        "threads": args.threads,
    }

    def make_step(model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> Any:
        def step() -> None:
            optimizer.zero_grad(set_to_none=True)
            loss = per_sample_loss(model, batch).mean()
            loss.backward()
            optimizer.step()

        return step

    runners: dict[str, Any] = {}
    plain.train()
    runners["non_private"] = make_step(
        plain, torch.optim.AdamW([p for p in plain.parameters() if p.requires_grad])
    )
    for mode in ("hooks", "functorch"):
        model = copy.deepcopy(plain)
        wrapped = GradSampleModule(model, force_functorch=(mode == "functorch"))
        opt = DPOptimizer(
            torch.optim.AdamW([p for p in wrapped.parameters() if p.requires_grad]),
            noise_multiplier=1.0,
            max_grad_norm=1.0,
            expected_batch_size=args.batch,
        )
        runners[f"dp_{mode}"] = make_step(wrapped, opt)

    samples: dict[str, list[float]] = {name: [] for name in runners}
    names = list(runners)
    for i in range(args.warmup + args.steps):
        for name in names[i % len(names) :] + names[: i % len(names)]:  # rotate who goes first
            step = runners[name]
            t0 = time.perf_counter()
            step()
            if i >= args.warmup:
                samples[name].append(time.perf_counter() - t0)
    base_s = statistics.median(samples["non_private"])
    for name, times in samples.items():
        results[f"{name}_median_s"] = round(statistics.median(times), 5)
        results[f"{name}_ratio"] = round(statistics.median(times) / base_s, 3)
    return results


def _epsilons() -> dict[str, Any]:
    """2,000 learners x 20 examples, 3 epochs, 64 learners per step, delta = 1e-5 (< 1/2000)."""
    out: dict[str, Any] = {"learners": 2000, "examples_per_learner": 20, "batch_learners": 64, "delta": 1e-5}
    for accountant in ("prv", "rdp"):
        for sigma in (0.8, 1.0, 1.2):
            # 3 epochs over learners: each learner contributes ~3 examples (one per pass).
            p = plan_run(
                learner_count=2000,
                expected_batch_size=64,
                epochs=3,
                delta=1e-5,
                accountant=accountant,
                noise_multiplier=sigma,
            )
            # 3 epochs over *examples*: 3 x 20 = 60 passes over learners to see each example ~3 times.
            q = plan_run(
                learner_count=2000,
                expected_batch_size=64,
                epochs=60,
                delta=1e-5,
                accountant=accountant,
                noise_multiplier=sigma,
            )
            out[f"{accountant}_sigma{sigma}_3_learner_epochs"] = round(p.epsilon, 3)
            out[f"{accountant}_sigma{sigma}_3_example_epochs"] = round(q.epsilon, 3)
        target = plan_run(
            learner_count=2000,
            expected_batch_size=64,
            epochs=3,
            delta=1e-5,
            accountant=accountant,
            target_epsilon=3.0,
        )
        out[f"{accountant}_sigma_for_eps3_3_learner_epochs"] = round(target.noise_multiplier, 3)
        out["steps_3_learner_epochs"] = target.steps
        out["sample_rate"] = target.sample_rate
    return out


def _utility(args: argparse.Namespace) -> dict[str, Any]:
    """Held-out scores of the tiny model: bare base, DP adapter (epsilon target), near-non-private adapter.

    The near-non-private run uses the same trainer with sigma = 1e-3 and clip 1e3 (no meaningful noise
    or clipping), so the gap isolates what DP-SGD costs on this toy task.
    """
    from adapters.training.bound import cap_per_learner
    from adapters.training.evaluate import score_adapter
    from adapters.training.testing import arithmetic_learners
    from adapters.training.trainer import DPTrainConfig, train_dp_lora
    from tutor.math.grading import grade_answer_sync

    def check(candidate: str, reference: str) -> bool:
        return grade_answer_sync(reference, "number", candidate).correct

    pools = cap_per_learner(arithmetic_learners(256, 5, seed=0), 5, seed=0)
    heldout = arithmetic_examples(24, seed=99)
    common = {
        "epochs": 3,
        "expected_batch_size": 32,
        "delta": 1e-3,
        "learning_rate": 1e-2,
        "max_seq_len": 64,
        "accountant": "prv",
        "seed": 0,
    }
    out: dict[str, Any] = {"learners": 256, "heldout": len(heldout)}
    with tempfile.TemporaryDirectory() as tmp:
        base = build_tiny_base_model(Path(tmp) / "base", corpus_texts(arithmetic_examples(300, seed=42)))
        runs = {
            "dp_eps8": DPTrainConfig(target_epsilon=8.0, **common),  # type: ignore[arg-type]
            "non_private": DPTrainConfig(
                target_epsilon=None,
                noise_multiplier=1e-3,
                max_grad_norm=1e3,
                max_epsilon=float("inf"),
                **{**common, "accountant": "rdp"},  # type: ignore[arg-type]
            ),
        }
        out["base"] = msgspec.to_builtins(
            score_adapter(base, None, heldout, check, max_new_tokens=16, max_seq_len=64)
        )
        for name, config in runs.items():
            result = train_dp_lora(base, pools, config, Path(tmp) / name)
            scores = score_adapter(
                base, result.adapter_dir, heldout, check, max_new_tokens=16, max_seq_len=64
            )
            out[name] = {
                **msgspec.to_builtins(scores),
                "epsilon": round(result.epsilon_spent, 3),
                "noise_multiplier": round(result.plan.noise_multiplier, 4),
                "sanity_passed": result.sanity.passed,
            }
    dp_loss, np_loss = out["dp_eps8"]["heldout_loss"], out["non_private"]["heldout_loss"]
    out["heldout_loss_ratio_dp_vs_non_private"] = round(dp_loss / np_loss, 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-utility", action="store_true", help="only time steps and compute epsilons")
    parser.add_argument("--repeat", type=int, default=6, help="worked problems per answer (sequence length)")
    args = parser.parse_args()
    results: dict[str, Any] = {"step_time": _step_timings(args), "epsilon": _epsilons()}
    if not args.skip_utility:
        results["utility_tiny_model"] = _utility(args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
