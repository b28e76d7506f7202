"""Teacher analytics: read-only views over the learner-model aggregates of one class."""

from __future__ import annotations

__all__: list[str] = []
