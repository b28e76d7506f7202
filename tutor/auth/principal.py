"""Who is calling: the minimum the service needs, no personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

__all__ = ["Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    id: UUID
    role: str
    school_id: UUID
    scopes: frozenset[str] = field(default=frozenset())
    """What a service key may do (``tutor.auth.scopes``); empty for people, whose role decides."""
    key_id: UUID | None = None
    """The service key a service principal authenticated with."""

    @property
    def is_student(self) -> bool:
        return self.role == "student"

    @property
    def is_teacher(self) -> bool:
        return self.role == "teacher"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_service(self) -> bool:
        return self.role == "service"
