"""Private training of the math LoRA as a service: data from consented learners, ledger, registry, jobs.

The numerical work lives in ``adapters.training``; this package owns the database side (who may be
included, what was spent, which adapter is served) and the API/CLI/job entry points.
"""

from __future__ import annotations

__all__: list[str] = []
