"""Service-key scopes: a key may call only routes that declare one of its scopes.

Routes declare what a service needs with ``opt={SERVICE_SCOPE: "..."}``; the app-wide
:func:`service_scope_guard` refuses every other route to a service principal (403), and records each
use of a key in the audit log. People are not affected: their role and tenancy decide.
"""

from __future__ import annotations

from typing import Any, Final

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.errors import ForbiddenError

__all__ = [
    "ANY_KEY",
    "DEFAULT_SCOPES",
    "EXERCISES_GENERATE",
    "ITEMS_READ",
    "MATH_SOLVE",
    "SCOPES",
    "SERVICE_SCOPE",
    "service_scope_guard",
]

SERVICE_SCOPE: Final = "service_scope"
EXERCISES_GENERATE: Final = "exercises:generate"
ITEMS_READ: Final = "items:read"
"""Reading the item bank, answers included."""
MATH_SOLVE: Final = "math:solve"
ANY_KEY: Final = "any"
"""Routes any valid key may call (``/v1/me``)."""

SCOPES: Final = (EXERCISES_GENERATE, ITEMS_READ, MATH_SOLVE)
DEFAULT_SCOPES: Final = (EXERCISES_GENERATE,)


async def service_scope_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    user = connection.scope.get("user")
    if getattr(user, "role", None) != "service":
        return
    needed = handler.opt.get(SERVICE_SCOPE)
    allowed = needed == ANY_KEY or (needed is not None and needed in user.scopes)  # type: ignore[union-attr]
    template = connection.scope.get("path_template") or sorted(handler.paths)[0]
    route = f"{connection.scope.get('method', 'GET')} {template}"
    async with connection.app.state.session_maker() as session, session.begin():
        await record_event(
            session,
            kind=kinds.SERVICE_KEY_USED if allowed else kinds.AUTH_DENIED,
            actor_id=user.id,  # type: ignore[union-attr]
            actor_role="service",
            learner_id=None,
            school_id=user.school_id,  # type: ignore[union-attr]
            payload={"key_id": user.key_id, "route": route, "scope": needed},  # type: ignore[union-attr]
        )
    if not allowed:
        raise ForbiddenError(
            "This service key may not call this route"
            + (f": it needs the scope {needed!r}." if needed else ": no service key can.")
        )
