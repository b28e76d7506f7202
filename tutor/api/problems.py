"""RFC 9457 problem+json for every error, with a message a frontend can show.

Validation failures are 422 and name the offending field; unexpected errors are 500 without internals.
"""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY, HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from tutor.errors import TutorError

__all__ = ["EXCEPTION_HANDLERS", "problem"]

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger(__name__)

_TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    422: "Unprocessable input",
    429: "Too many requests",
    503: "Service unavailable",
}


def problem(
    status: int, detail: str, *, title: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
    }
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _tutor_error(_: Request[Any, Any, Any], exc: TutorError) -> Response[dict[str, Any]]:
    return problem(exc.status_code, exc.message, title=exc.title, headers=exc.headers, **exc.extra)


def _field_message(error: dict[str, Any]) -> str:
    key = error.get("key")
    message = str(error.get("message", "invalid value"))
    return f"{key}: {message}" if key else message


def _validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors = [e for e in (exc.extra or []) if isinstance(e, dict)] if isinstance(exc.extra, list) else []
    detail = "; ".join(_field_message(e) for e in errors) or str(exc.detail)
    return problem(
        HTTP_422_UNPROCESSABLE_ENTITY,
        f"Invalid request: {detail}",
        errors=[
            {"field": e.get("key"), "source": e.get("source"), "message": e.get("message")} for e in errors
        ],
    )


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    headers = dict(exc.headers or {})
    return problem(exc.status_code, str(exc.detail), headers=headers or None)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.error("unhandled_error", path=request.url.path, error_type=type(exc).__name__, exc_info=exc)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again later."
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    TutorError: _tutor_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _unexpected,
}
