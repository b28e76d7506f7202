"""Practice: the learner-model side of the attempt transaction, next exercise and wrong-answer book."""

from __future__ import annotations

__all__: list[str] = []
