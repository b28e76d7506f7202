"""Model-backed tutoring: checked LLM solutions, hints, dialogues and exercise generation.

Controllers live in ``controllers``; ``service.solve_out_with_llm`` / ``service.llm_solve`` are the
hooks other areas call. Importing this package never imports torch (the engine loads lazily).
"""

from __future__ import annotations

__all__: list[str] = []
