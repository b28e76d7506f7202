"""Recognition of handwritten formulas and spoken questions: recognise, let the learner confirm, use."""

from __future__ import annotations

__all__: list[str] = []
