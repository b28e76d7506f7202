"""Role guards for route handlers."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

__all__ = ["requires_roles"]


def requires_roles(*roles: str) -> Guard:
    """Allow only principals whose role is one of ``roles``."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # Litestar's automatic OPTIONS answer (Allow header) shows no data; it has no user
        user = connection.scope.get("user")
        if getattr(user, "role", None) not in roles:
            raise PermissionDeniedException(f"This action needs one of the roles: {', '.join(roles)}.")

    return guard
