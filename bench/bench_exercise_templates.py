"""Verified exercise items per second, per knowledge point and overall; and the sandbox's cost.

Baseline in the same run: drafting the same items from the templates without the engine's
verification (no step-by-step solve, no answer check), so the ratio shows what verification costs.
Second figure: grading answers through the sandbox (process pool, as the API does) against grading
in-process, same answers, same run. Prints the figures and writes bench/results/exercise_templates.json.
Run: ``.venv/bin/python bench/bench_exercise_templates.py [items_per_kp]``.
"""

from __future__ import annotations

import json
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tutor.math.config import MathSettings  # noqa: E402
from tutor.math.grading import grade_answer_sync  # noqa: E402
from tutor.math.sandbox import MathSandbox  # noqa: E402
from tutor.math.templates import KNOWLEDGE_POINT_CODES, generate_items  # noqa: E402
from tutor.math.templates.generators import TEMPLATES  # noqa: E402


def main() -> None:
    per_kp = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    generate_items("lin.two_step", 1, seed=0)  # warm imports and SymPy caches outside the timing

    start = time.perf_counter()
    drafts = 0
    for code in KNOWLEDGE_POINT_CODES:
        rng = random.Random(7)
        for i in range(per_kp):
            TEMPLATES[code](rng, i % 3)
            drafts += 1
    draft_s = time.perf_counter() - start

    per_code: dict[str, float] = {}
    total = 0
    start = time.perf_counter()
    for code in KNOWLEDGE_POINT_CODES:
        t0 = time.perf_counter()
        items = generate_items(code, per_kp, seed=7)
        per_code[code] = round(len(items) / (time.perf_counter() - t0), 1)
        total += len(items)
    verified_s = time.perf_counter() - start

    cases = [
        (i.answer, i.answer_kind, i.answer)
        for code in KNOWLEDGE_POINT_CODES
        for i in generate_items(code, 3, seed=1)
    ]
    start = time.perf_counter()
    for case in cases:
        grade_answer_sync(*case)
    inproc_s = time.perf_counter() - start
    box = MathSandbox(MathSettings(workers=1))
    box.call(grade_answer_sync, *cases[0])  # start the worker outside the timing
    start = time.perf_counter()
    for case in cases:
        box.call(grade_answer_sync, *case)
    sandbox_s = time.perf_counter() - start
    box.shutdown()

    result = {
        "items_per_kp": per_kp,
        "knowledge_points": len(KNOWLEDGE_POINT_CODES),
        "verified_items": total,
        "verified_items_per_s": round(total / verified_s, 1),
        "baseline_unverified_drafts_per_s": round(drafts / draft_s, 1),
        "verified_vs_unverified_ratio": round((total / verified_s) / (drafts / draft_s), 4),
        "grades": len(cases),
        "grade_ms_in_process": round(1000 * inproc_s / len(cases), 2),
        "grade_ms_sandboxed": round(1000 * sandbox_s / len(cases), 2),
        "sandboxed_vs_in_process_ratio": round(sandbox_s / inproc_s, 3),
        "slowest_kps": sorted(per_code.items(), key=lambda kv: kv[1])[:5],
        "fastest_kps": sorted(per_code.items(), key=lambda kv: -kv[1])[:5],
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    out = ROOT / "bench" / "results" / "exercise_templates.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":  # the sandbox's forkserver re-imports this module: keep work under the guard
    main()
