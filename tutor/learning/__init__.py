"""Learner model: pure functions on plain values (BKT mastery, IRT difficulty, item selection, spacing).

Nothing here does I/O or imports a framework, so the attempt transaction, the fit commands and the
simulations all share the exact same rules and the unit tests run in milliseconds.
"""

from __future__ import annotations

__all__: list[str] = []
