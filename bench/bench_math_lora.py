"""The math LoRA against the bare SmolLM2 on held-out linear and quadratic equations, in one run.

Held-out problems come from the same templates as the training data (``tutor train-math-lora``) with
another seed, excluding every training problem; half are asked in Chinese, half in English, through
the served solution prompt. Each model answers greedily with the served solution parameters (the
length capped); its answer is graded by the serving checker (``check_model_text``: the steps are
verified one by one and the boxed answer against the engine's). Figures per model:

* ``checked``: the share the service would serve as the model's own checked solution (``accepted``);
* ``all_steps_valid``: accepted *and* every step read and verified (none unparseable);
* ``answer_correct``: the boxed answer right, whatever the steps;
* ``served_format``: numbered steps and a ``\\boxed{}`` answer (what the checker needs to read it);
* ``valid_step_share``: verified steps over all steps written.

Models: the base, the non-private LoRA and the DP LoRA (epsilon <= 8, delta 1e-5), all in this run
(ratios within the run: the machine is shared). Writes bench/results/bench_math_lora.json.
Run: ``.venv/bin/python bench/bench_math_lora.py [--problems 40]`` (needs ``tutor models install``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ADAPTERS = ROOT / "adapters" / "llm" / "lora" / "smollm2"
RESULTS = ROOT / "bench" / "results" / "bench_math_lora.json"
HELDOUT_SEED = 2


def _kind(code: str) -> str:
    return "quadratic" if code.startswith("quad") else "linear"


def _generate(
    model: Any, tokenizer: Any, prompts: list[str], params: dict[str, Any], batch: int
) -> list[str]:
    import torch

    outputs: list[str] = []
    for start in range(0, len(prompts), batch):
        chunk = prompts[start : start + batch]
        enc = tokenizer(chunk, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.no_grad():
            out = model.generate(**enc, **params, pad_token_id=tokenizer.pad_token_id)
        width = enc["input_ids"].shape[1]
        outputs += [tokenizer.decode(row[width:], skip_special_tokens=True) for row in out]
    return outputs


async def _grade(problems: list[Any], texts: list[str], params: Any) -> list[dict[str, Any]]:
    from adapters.llm import parse_solution
    from tutor.tutoring.checking import check_model_text

    rows = []
    for problem, text in zip(problems, texts, strict=True):
        attempt = await check_model_text(problem.problem, text, params, None)
        v = attempt.verification
        parsed = parse_solution(text)
        rows.append(
            {
                "kind": _kind(problem.kp_code),
                "served_format": bool(parsed.steps) and parsed.final_answer is not None,
                "valid_steps": sum(s.verdict == "valid" for s in v.steps),
                "steps": len(v.steps),
                "checked": attempt.accepted,
                "all_steps_valid": attempt.accepted and all(s.verdict == "valid" for s in v.steps),
                "answer_correct": v.final_answer_correct is True,
            }
        )
    return rows


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    by_kind["all"] = rows

    def share(group: list[dict[str, Any]], key: str) -> float:
        return round(sum(r[key] for r in group) / max(1, len(group)), 4)

    keys = ("checked", "all_steps_valid", "answer_correct", "served_format")
    return {
        kind: {
            "n": len(g),
            **{k: share(g, k) for k in keys},
            "valid_step_share": round(
                sum(r["valid_steps"] for r in g) / max(1, sum(r["steps"] for r in g)), 4
            ),
        }
        for kind, g in by_kind.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=40)
    parser.add_argument("--train-examples", type=int, default=320, help="as trained: excluded from the test")
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()

    from adapters._torch_compat import ensure_torchvision_ops

    ensure_torchvision_ops()
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from adapters.llm import defaults_for
    from adapters.llm.config import LLMConfig
    from tutor.training.math_lora import training_problems
    from tutor.training.serving_format import generate_problems, serving_prompt

    base_path = LLMConfig.from_env(os.environ).model
    if base_path is None:
        raise SystemExit("No SmolLM2: run `tutor models install` first.")
    train = training_problems(args.train_examples)
    held = generate_problems(args.problems, seed=HELDOUT_SEED, exclude=[p.problem for p in train])
    langs = ["zh" if i % 2 == 0 else "en" for i in range(len(held))]
    prompts = [serving_prompt(p.problem, lang) for p, lang in zip(held, langs, strict=True)]
    served = defaults_for("solution")
    params = served.to_hf() | {"max_new_tokens": min(served.max_new_tokens, args.max_new_tokens)}

    tokenizer = AutoTokenizer.from_pretrained(base_path)
    tokenizer.padding_side = "left"
    torch.manual_seed(0)
    models = {"base": None, "lora": ADAPTERS / "math" / "v1", "dp_lora": ADAPTERS / "math-dp" / "v1"}
    results: dict[str, Any] = {}
    samples: dict[str, list[str]] = {}
    for name, adapter in models.items():
        if adapter is not None and not (adapter / "adapter_config.json").is_file():
            print(f"{name}: no adapter at {adapter}, skipped", flush=True)
            continue
        model: Any = AutoModelForCausalLM.from_pretrained(base_path)
        if adapter is not None:
            model = PeftModel.from_pretrained(model, str(adapter))
        model.eval()
        started = time.monotonic()
        texts = _generate(model, tokenizer, prompts, params, args.batch)
        seconds = time.monotonic() - started
        rows = asyncio.run(_grade(held, texts, served))
        results[name] = {"summary": _summary(rows), "generation_seconds": round(seconds, 1)}
        card = adapter / "card.json" if adapter is not None else None
        if card is not None and card.is_file():
            meta = json.loads(card.read_text(encoding="utf-8"))
            results[name]["privacy"] = meta.get("privacy")
            results[name]["training_seconds"] = meta["training"]["seconds"]
        samples[name] = texts
        s = results[name]["summary"]
        linear, quadratic = s.get("linear", {}).get("checked", 0), s.get("quadratic", {}).get("checked", 0)
        print(
            f"{name:8s} checked {s['all']['checked']:.0%} (linear {linear:.0%}, quadratic {quadratic:.0%});"
            f" all steps valid {s['all']['all_steps_valid']:.0%};"
            f" answer right {s['all']['answer_correct']:.0%}; served format {s['all']['served_format']:.0%};"
            f" valid steps {s['all']['valid_step_share']:.0%}; {seconds:.0f} s",
            flush=True,
        )
        del model
    report = {
        "benchmark": "bench_math_lora",
        "held_out": {
            "problems": len(held),
            "seed": HELDOUT_SEED,
            "kinds": {k: sum(_kind(p.kp_code) == k for p in held) for k in ("linear", "quadratic")},
            "languages": "zh and en alternating",
            "excluded_training_problems": len(train),
        },
        "generation": params,
        "grading": "tutor.tutoring.checking.check_model_text (serving checker): steps verified, boxed answer",
        "results": results,
        "outputs": {
            name: [
                {"problem": p.problem, "lang": lang, "text": t}
                for p, lang, t in zip(held, langs, texts, strict=True)
            ]
            for name, texts in samples.items()
        },
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "torch": torch.__version__},
    }
    if "lora" in results and "dp_lora" in results:
        report["dp_gap_points"] = round(
            100
            * (
                results["lora"]["summary"]["all"]["checked"] - results["dp_lora"]["summary"]["all"]["checked"]
            ),
            1,
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
