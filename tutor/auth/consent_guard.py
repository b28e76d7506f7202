"""Refuse processing a learner's data for a purpose their guardian has not consented to.

Controllers that process a student's data declare ``opt={"consent_purpose": "tutoring"}``; this
app-wide guard then checks the consent record for student callers (staff and services act on their
own account). Learners can still read and export what is already stored about them.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from tutor.privacy.consent import require_consent

__all__ = ["CONSENT_OPT", "TUTORING", "consent_guard"]

CONSENT_OPT = "consent_purpose"
TUTORING = {CONSENT_OPT: "tutoring"}


async def consent_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    purpose = handler.opt.get(CONSENT_OPT)
    user = connection.scope.get("user")
    if purpose is None or getattr(user, "role", None) != "student":
        return
    async with connection.app.state.session_maker() as session:
        await require_consent(session, user.id, purpose)  # type: ignore[union-attr]
