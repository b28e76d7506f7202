"""Handwritten formula recognition (pix2tex)."""

from __future__ import annotations

from adapters.formula.config import FormulaConfig
from adapters.formula.engine import FormulaResult, Pix2TexEngine
from adapters.formula.preprocess import PadSpec, prepare_handwriting

__all__ = ["FormulaConfig", "FormulaResult", "PadSpec", "Pix2TexEngine", "prepare_handwriting"]
