"""Pen strokes to pix2tex: how long drawing and pre-processing take next to the model, and what size the
model gets, on formulas written at pad resolutions from a small phone to a 4k tablet.

The model is the tests' tiny pix2tex (random weights, ``max_seq_len`` 6: no real weights can be had
offline), so decode times are a floor; rendering and pre-processing are the same as in production.
Times are medians of interleaved rounds in this run. Writes bench/results/handwriting.json.
Run: ``.venv/bin/python bench/bench_handwriting.py``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters._torch_compat import ensure_torchvision_ops  # noqa: E402

ensure_torchvision_ops()

from adapters.formula import FormulaConfig, PadSpec, Pix2TexEngine, prepare_handwriting  # noqa: E402
from adapters.formula.strokes import parse_inkml, render_strokes, strokes_from_points  # noqa: E402
from tests.fixtures.strokes import formula_strokes, inkml_document  # noqa: E402
from tests.fixtures.tiny_models import build_tiny_pix2tex  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "20"))


def _long_formula(scale: float) -> list[list[list[float]]]:
    """``x+1=2`` written four times in a row: a long line of 32 strokes."""
    strokes: list[list[list[float]]] = []
    for i in range(4):
        strokes += formula_strokes(scale, origin=(40.0 + i * 260.0 * scale, 60.0))
    return strokes


def _median_ms(fn: Any) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 2)


def main() -> None:
    import torch

    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory() as tmp:
        config, checkpoint = build_tiny_pix2tex(Path(tmp))
        engine = Pix2TexEngine(FormulaConfig(checkpoint=checkpoint, config=config))
        engine.load()
        spec = PadSpec(max_size=(672, 192), min_size=(32, 32))
        cases = {
            "x+1=2 small phone (0.3x)": formula_strokes(0.3),
            "x+1=2 phone (1x)": formula_strokes(1.0),
            "x+1=2 4k tablet (8x)": formula_strokes(8.0),
            "4 x (x+1=2) one line (1x)": _long_formula(1.0),
        }
        results: dict[str, Any] = {}
        for name, raw in cases.items():
            strokes = strokes_from_points(raw)
            document = inkml_document(raw)
            rendered = render_strokes(strokes)
            prepared = prepare_handwriting(rendered, spec)
            ms_inkml = _median_ms(lambda d=document: parse_inkml(d))
            ms_render = _median_ms(lambda s=strokes: render_strokes(s))
            ms_prepare = _median_ms(lambda r=rendered: prepare_handwriting(r, spec))
            ms_model = _median_ms(lambda r=rendered: engine.recognize(r))  # includes prepare
            results[name] = {
                "strokes": len(strokes),
                "points": sum(len(s) for s in strokes),
                "rendered_px": list(rendered.size),
                "model_input_px": list(prepared.size),
                "inkml_parse_ms": ms_inkml,
                "render_ms": ms_render,
                "prepare_ms": ms_prepare,
                "recognize_ms_tiny_model": ms_model,
                "render_plus_prepare_share_of_recognize": round((ms_render + ms_prepare) / ms_model, 3),
            }
    out = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "model": "tiny random pix2tex from the tests (max_seq_len 6): decode times are a floor",
        "repeats": REPEATS,
        "cases": results,
    }
    path = ROOT / "bench" / "results" / "handwriting.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
