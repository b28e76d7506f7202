"""Audit settings read from ``TUTOR_*`` variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["AuditSettings"]

_HOME_PAGE = "https://tutor.invalid"
_BATCH = 2000


@dataclass(frozen=True, slots=True)
class AuditSettings:
    xapi_home_page: str = _HOME_PAGE
    """xAPI account ``homePage``: the school's or service's public URL (no trailing slash)."""
    export_batch: int = _BATCH
    """Rows fetched per round trip while streaming exports and verifying; memory scales with it."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> AuditSettings:
        batch = int(env.get("TUTOR_AUDIT_EXPORT_BATCH") or _BATCH)
        if not 100 <= batch <= 50_000:
            raise ValueError("TUTOR_AUDIT_EXPORT_BATCH must be between 100 and 50000")
        return cls(
            xapi_home_page=(env.get("TUTOR_XAPI_HOME_PAGE") or _HOME_PAGE).rstrip("/"),
            export_batch=batch,
        )
