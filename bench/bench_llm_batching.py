"""Tokens/s of 8 concurrent requests: dynamic batching vs one request at a time, same tiny model.

Both runs go through LocalEngine (same loading path, same greedy params, fixed 64 new tokens per
request so the work is identical); the only difference is whether the requests arrive together
(one batched ``generate``) or one after another. Prints the figures and writes
bench/results/llm_batching.json. Run: ``.venv/bin/python bench/bench_llm_batching.py``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.llm.config import LLMConfig  # noqa: E402
from adapters.llm.local import LocalEngine  # noqa: E402
from adapters.llm.params import GenerationParams  # noqa: E402
from adapters.llm.prompting import render  # noqa: E402
from adapters.llm.schemas import GenerationRequest  # noqa: E402
from adapters.llm.testing import build_tiny_belle  # noqa: E402

CONCURRENCY = 8
NEW_TOKENS = 64
REPEATS = 5


async def _measure(engine: LocalEngine, requests: list[GenerationRequest], batched: bool) -> float:
    start = time.perf_counter()
    if batched:
        results = await asyncio.gather(*(engine.generate([r]) for r in requests))
        tokens = sum(r[0].generated_tokens for r in results)
    else:
        tokens = 0
        for request in requests:
            [result] = await engine.generate([request])
            tokens += result.generated_tokens
    return tokens / (time.perf_counter() - start)


async def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        model_dir, adapter_dir = build_tiny_belle(Path(tmp), "llama")
        config = LLMConfig(
            engine="local",
            model=str(model_dir),
            adapter_dir=adapter_dir,
            adapters=("math",),
            max_batch_size=CONCURRENCY,
            max_wait_ms=20.0,
        )
        engine = LocalEngine(config)
        await engine.load()
        params = GenerationParams(max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS)
        requests = [
            GenerationRequest(
                prompt=render("solution", "zh", problem=f"{i + 2}x + {i} = {3 * i + 7}").text, params=params
            )
            for i in range(CONCURRENCY)
        ]
        await _measure(engine, requests, batched=True)  # warm-up
        sequential, batched = [], []
        calls_before = engine.stats.generate_calls
        for _ in range(REPEATS):
            sequential.append(await _measure(engine, requests, batched=False))
            batched.append(await _measure(engine, requests, batched=True))
        calls = engine.stats.generate_calls - calls_before
        await engine.close()
    seq, bat = statistics.median(sequential), statistics.median(batched)
    return {
        "model": "tiny LLaMA (hidden 64, 2 layers) + math LoRA, CPU fp32",
        "concurrency": CONCURRENCY,
        "new_tokens_per_request": NEW_TOKENS,
        "repeats": REPEATS,
        "sequential_tokens_per_s": round(seq, 1),
        "batched_tokens_per_s": round(bat, 1),
        "ratio_batched_vs_sequential": round(bat / seq, 2),
        "generate_calls": calls,
        "expected_generate_calls": REPEATS * (CONCURRENCY + 1),
    }


if __name__ == "__main__":
    figures = asyncio.run(main())
    out = ROOT / "bench" / "results" / "llm_batching.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    for key, value in figures.items():
        print(f"{key}: {value}")
