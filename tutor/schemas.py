"""API shapes shared by several areas."""

from __future__ import annotations

from uuid import UUID

import msgspec

__all__ = ["Me"]


class Me(msgspec.Struct):
    id: UUID
    username: str
    display_name: str
    role: str
    school_id: UUID
