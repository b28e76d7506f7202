"""The math engine: parse learner and model math, grade answers, solve and verify step by step.

Everything here is pure SymPy work; the only I/O is the sandbox process pool that bounds its time
and memory (``tutor.math.sandbox``). Heavy callers go through the async wrappers there.
"""

from __future__ import annotations

__all__: list[str] = []
