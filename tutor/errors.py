"""One exception root for the service; each class carries its HTTP status.

Services and adapters raise these; the app turns them into RFC 9457 problem+json with a message a
frontend can show, so no layer below the API needs to know about HTTP.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "ConflictError",
    "ForbiddenError",
    "NotFoundError",
    "PayloadTooLargeError",
    "ServiceUnavailableError",
    "TooManyRequestsError",
    "TutorError",
    "UnauthorizedError",
    "UnprocessableError",
]


class TutorError(Exception):
    """Base class: ``message`` is shown to the user, ``extra`` adds problem+json members."""

    status_code: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        self.extra = extra


class UnauthorizedError(TutorError):
    status_code = 401
    title = "Not signed in"


class ForbiddenError(TutorError):
    status_code = 403
    title = "Forbidden"


class NotFoundError(TutorError):
    status_code = 404
    title = "Not found"


class ConflictError(TutorError):
    status_code = 409
    title = "Conflict"


class PayloadTooLargeError(TutorError):
    status_code = 413
    title = "Payload too large"


class UnprocessableError(TutorError):
    status_code = 422
    title = "Unprocessable input"


class TooManyRequestsError(TutorError):
    status_code = 429
    title = "Too many requests"


class ServiceUnavailableError(TutorError):
    """Back-pressure or an engine that is not loaded; ``retry_after`` seconds become a header."""

    status_code = 503
    title = "Service unavailable"

    def __init__(self, message: str, *, retry_after: int | None = None, **extra: Any) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        super().__init__(message, headers=headers, **extra)
