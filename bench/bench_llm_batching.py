"""LLM batching on the real SmolLM2-135M (CPU): batched vs one by one, mixed lengths, time to first token.

Everything runs in one process on one LocalEngine, so every ratio compares figures from the same run
(absolute numbers swing with machine load). Cases:

1. ``sequential`` vs ``batched``: N requests of T new tokens (min = max, identical work), one after
   another, then all at once through the slice scheduler; tokens/s and their ratio.
2. ``mixed``: one long request (L tokens) and N-1 short ones (S tokens) arriving together, through the
   old collect-then-generate path (``DynamicBatcher``: requests differing in ``max_new_tokens`` run one
   batch after another) and through the scheduler; latency of the short requests and total wall time.
3. ``ttft``: time to the first streamed piece for a request alone, and for one arriving while a long
   request is decoding.

Model: ``BENCH_LLM_MODEL`` or ``<TUTOR_MODEL_DIR>/smollm2-135m`` (built by ``tutor models install
--only smollm2``); without it the tiny random LLaMA is used and the JSON says so. Sizes: ``BENCH_N``,
``BENCH_T``, ``BENCH_LONG``, ``BENCH_SHORT``, ``BENCH_ROUNDS``.
Writes ``bench/results/bench_llm_batching.json``.
Run: ``PYTHONPATH=. .venv/bin/python bench/bench_llm_batching.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.llm.config import LLMConfig  # noqa: E402
from adapters.llm.install import smollm2_dir  # noqa: E402
from adapters.llm.local import LocalEngine  # noqa: E402
from adapters.llm.params import GenerationParams  # noqa: E402
from adapters.llm.prompting import render  # noqa: E402
from adapters.llm.schemas import GenerationRequest  # noqa: E402
from adapters.llm.testing import build_tiny_belle  # noqa: E402
from adapters.media.engine_state import model_dir_from_env  # noqa: E402

N = int(os.environ.get("BENCH_N", "8"))
T = int(os.environ.get("BENCH_T", "16"))
LONG = int(os.environ.get("BENCH_LONG", "48"))
SHORT = int(os.environ.get("BENCH_SHORT", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def _fixed(tokens: int) -> GenerationParams:
    return GenerationParams(max_new_tokens=tokens, min_new_tokens=tokens)


def _prompts(count: int) -> list[str]:
    return [render("solution", "en", problem=f"{i + 2}x + {i + 1} = {3 * i + 7}").text for i in range(count)]


async def _round(engine: LocalEngine, requests: list[GenerationRequest]) -> tuple[float, float]:
    start = time.perf_counter()
    tokens = 0
    for request in requests:
        [result] = await engine.generate([request])
        tokens += result.generated_tokens
    sequential = tokens / (time.perf_counter() - start)
    start = time.perf_counter()
    results = await asyncio.gather(*(engine.generate([r]) for r in requests))
    batched = sum(r[0].generated_tokens for r in results) / (time.perf_counter() - start)
    return sequential, batched


async def _sequential_vs_batched(engine: LocalEngine) -> dict[str, Any]:
    """ROUNDS alternating rounds (one by one, then together), so a load change on the shared machine
    hits both sides; the ratio reported is the median of the per-round ratios."""
    requests = [GenerationRequest(prompt=p, params=_fixed(T)) for p in _prompts(N)]
    rounds = [await _round(engine, requests) for _ in range(ROUNDS)]
    return {
        "requests": N,
        "new_tokens_each": T,
        "rounds": ROUNDS,
        "sequential_tokens_per_s": [round(s, 2) for s, _ in rounds],
        "batched_tokens_per_s": [round(b, 2) for _, b in rounds],
        "ratio_batched_vs_sequential_per_round": [round(b / s, 2) for s, b in rounds],
        "ratio_batched_vs_sequential_median": round(statistics.median(b / s for s, b in rounds), 2),
    }


async def _mixed(engine: LocalEngine, old_path: bool) -> dict[str, Any]:
    prompts = _prompts(N)
    requests = [GenerationRequest(prompt=prompts[0], params=_fixed(LONG))] + [
        GenerationRequest(prompt=p, params=_fixed(SHORT)) for p in prompts[1:]
    ]
    start = time.perf_counter()
    done: list[float] = [0.0] * len(requests)

    async def one(i: int, request: GenerationRequest) -> None:
        if old_path:  # collect-then-generate: one generate per (adapter, params) batch
            await engine._batcher.submit(request)
        else:
            await engine.generate([request])
        done[i] = time.perf_counter() - start

    await asyncio.gather(*(one(i, r) for i, r in enumerate(requests)))
    return {
        "long_latency_s": round(done[0], 2),
        "short_latency_mean_s": round(statistics.mean(done[1:]), 2),
        "wall_s": round(max(done), 2),
    }


async def _ttft(engine: LocalEngine) -> dict[str, Any]:
    prompt = _prompts(1)[0]

    async def first_piece() -> float:
        start = time.perf_counter()
        stream = engine.stream(GenerationRequest(prompt=prompt, params=_fixed(SHORT)))
        try:
            await anext(stream)
            return time.perf_counter() - start
        finally:
            await stream.aclose()

    alone = await first_piece()
    long = asyncio.create_task(engine.generate([GenerationRequest(prompt=prompt, params=_fixed(LONG))]))
    await asyncio.sleep(0.5)  # the long request is decoding
    behind = await first_piece()
    await long
    return {"ttft_alone_s": round(alone, 2), "ttft_while_long_decodes_s": round(behind, 2)}


async def main() -> dict[str, Any]:
    model = Path(os.environ.get("BENCH_LLM_MODEL", str(smollm2_dir(model_dir_from_env(os.environ)))))
    with tempfile.TemporaryDirectory() as tmp:
        label = "SmolLM2-135M-Instruct (LLaMA), CPU fp32"
        if not (model / "config.json").is_file():
            model, _ = build_tiny_belle(Path(tmp), "llama")
            label = "tiny random LLaMA (hidden 64, 2 layers), CPU fp32: the 135M model was not found"
        config = LLMConfig(engine="local", model=str(model), adapters=(), max_batch_size=max(8, N))
        engine = LocalEngine(config)
        started = time.perf_counter()
        await engine.load()
        load_s = time.perf_counter() - started
        try:
            await engine.generate([GenerationRequest(prompt=_prompts(1)[0], params=_fixed(2))])  # warm-up
            throughput = await _sequential_vs_batched(engine)
            old = await _mixed(engine, old_path=True)
            new = await _mixed(engine, old_path=False)
            ttft = await _ttft(engine)
        finally:
            await engine.close()
    return {
        "model": label,
        "load_s": round(load_s, 2),
        "slice_tokens": config.slice_tokens,
        "throughput": throughput,
        "mixed_lengths": {
            "long_tokens": LONG,
            "short_tokens": SHORT,
            "short_requests": N - 1,
            "collect_then_generate": old,
            "slice_scheduler": new,
            "short_latency_ratio_old_vs_new": round(
                old["short_latency_mean_s"] / new["short_latency_mean_s"], 2
            ),
            "wall_ratio_old_vs_new": round(old["wall_s"] / new["wall_s"], 2),
        },
        "time_to_first_token": ttft,
        "load_average_1min": round(os.getloadavg()[0], 1),
    }


if __name__ == "__main__":
    figures = asyncio.run(main())
    print(json.dumps(figures, indent=2))
    out = ROOT / "bench" / "results" / "bench_llm_batching.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"wrote {out}")
