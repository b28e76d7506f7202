"""pix2tex behind a small adapter: loaded once from absolute paths, greedy decoding that also yields a
confidence from the model's own token probabilities.

``LatexOCR.__call__`` samples (temperature) and returns only a string, and it changes the process's
working directory on every call; we load through ``LatexOCR(arguments)`` (the documented way) but
run the encoder/decoder ourselves, deterministically, keeping the probability of each chosen token.
"""

from __future__ import annotations

import logging
import math
import threading
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from adapters.formula.config import FormulaConfig
from adapters.formula.preprocess import PadSpec, prepare_handwriting
from adapters.media.engine_state import EngineHealth, LazyEngine

__all__ = ["FormulaResult", "Pix2TexEngine"]

# pix2tex's test-time normalisation (dataset/transforms.py: alb.Normalize on 0..255 input)
_MEAN, _STD = 0.7931, 0.1738
# LatexOCR's constructor chdirs into its package folder: one load at a time in the whole process
_CHDIR_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class FormulaResult:
    """Recognised LaTeX, the mean per-token probability (geometric) in [0, 1], and the engine name."""

    latex: str
    confidence: float
    engine: str
    tokens: int


def _load(config: FormulaConfig) -> Any:
    from adapters._torch_compat import ensure_torchvision_ops

    ensure_torchvision_ops()
    if config.checkpoint is None or not config.checkpoint.is_file():
        raise FileNotFoundError(f"pix2tex checkpoint not found at {config.checkpoint}")
    if not config.config.is_file():
        raise FileNotFoundError(f"pix2tex config not found at {config.config}")
    from munch import Munch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # albumentations' pydantic noise at import
        from pix2tex.cli import LatexOCR

    root = logging.getLogger()
    level = root.level
    with _CHDIR_LOCK:
        try:
            ocr = LatexOCR(
                Munch(
                    config=str(config.config),
                    checkpoint=str(config.checkpoint),
                    no_cuda=True,
                    no_resize=True,
                )
            )
        finally:
            root.setLevel(level)  # LatexOCR silences the root logger; give the app its logging back
    return ocr


class Pix2TexEngine:
    """Formula recognition; ``recognize`` blocks, so run it on the inference pool."""

    name = "pix2tex"

    def __init__(self, config: FormulaConfig) -> None:
        self.config = config
        self._engine: LazyEngine[Any] = LazyEngine(
            "Formula recognition", lambda: _load(config), config.missing()
        )

    def health(self) -> EngineHealth:
        return self._engine.health()

    def ensure_configured(self) -> None:
        """503 now when the engine cannot be used, before any work is queued."""
        self._engine.ensure_configured()

    def load(self) -> None:
        """Load the model now (warm-up); otherwise the first recognition does it."""
        self._engine.get()

    def recognize(self, image: Image.Image) -> FormulaResult:
        """Pre-process a pad picture and read it as LaTeX."""
        ocr = self._engine.get()
        args = ocr.args
        spec = PadSpec(max_size=tuple(args.max_dimensions), min_size=tuple(args.min_dimensions))
        prepared = prepare_handwriting(image, spec)
        return self._decode(ocr, prepared)

    def _decode(self, ocr: Any, prepared: Image.Image) -> FormulaResult:
        import torch
        from pix2tex.utils import post_process, token2str

        args = ocr.args
        pixels = (np.asarray(prepared, dtype=np.float32) / 255.0 - _MEAN) / _STD
        image = torch.from_numpy(pixels)[None, None]
        net = ocr.model.decoder.net
        window = int(net.max_seq_len)
        eos = int(args.eos_token)
        with torch.inference_mode():
            context = ocr.model.encoder(image)
            out = torch.tensor([[int(args.bos_token)]], dtype=torch.long)
            log_probs: list[float] = []
            for _ in range(int(args.max_seq_len)):
                x = out[:, -window:]
                logits = net(x, mask=torch.ones_like(x, dtype=torch.bool), context=context)[:, -1, :]
                best_lp, best = logits.float().log_softmax(dim=-1).max(dim=-1)
                log_probs.append(float(best_lp.item()))
                if int(best.item()) == eos:
                    break
                out = torch.cat((out, best[:, None]), dim=-1)
        tokens = out[0, 1:]
        latex = post_process(token2str(tokens, ocr.tokenizer)[0]) if tokens.numel() else ""
        confidence = math.exp(sum(log_probs) / len(log_probs)) if log_probs else 0.0
        return FormulaResult(latex=latex, confidence=confidence, engine=self.name, tokens=int(tokens.numel()))
