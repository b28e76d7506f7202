"""RFC 9457 problem+json for every error, with a message a frontend can show.

Validation failures are 422 and name the offending field; unexpected errors are 500 without internals.
"""

from __future__ import annotations

import traceback
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DBAPIError

from tutor.db.retry import sqlstate
from tutor.errors import TutorError

__all__ = ["EXCEPTION_HANDLERS", "problem"]

PROBLEM_JSON = "application/problem+json"
RETRY_LATER_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014", "53300", "25P03"})
"""Serialization failure, deadlock, lock timeout, statement timeout, too many connections, idle timeout."""
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


def _bad_body(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Bodies the decoder cannot read: invalid UTF-8, JSON nested past the decoder's depth."""
    if isinstance(exc, RecursionError):
        detail = "The request body is nested too deeply. / 请求内容嵌套层数太多。"
    else:
        detail = "The request is not valid UTF-8 text. / 请求内容不是有效的 UTF-8 文本。"
    return problem(HTTP_400_BAD_REQUEST, detail)


def _out_of_range(_: Request[Any, Any, Any], exc: OverflowError) -> Response[dict[str, Any]]:
    """A number or date past what can be computed with (year 9999, 64-bit integers)."""
    return problem(
        HTTP_422_UNPROCESSABLE_ENTITY,
        "A number or date in the request is out of range. / 请求中的数字或日期超出范围。",
    )


def _database(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[dict[str, Any]]:
    """Database errors that input or load cause are 4xx/503; the rest are real 500s."""
    code = sqlstate(exc) or ""
    if code.startswith("22") or isinstance(exc.orig, ValueError | OverflowError):
        # data exception: a NUL character, a value past int32/int64 or a column's range
        return problem(
            HTTP_422_UNPROCESSABLE_ENTITY,
            "A value in the request cannot be stored (for example a NUL character or a number out "
            "of range). / 请求中的某个值无法保存（例如含有 NUL 字符或数字超出范围）。",
        )
    if code in RETRY_LATER_SQLSTATES:
        log.warning("database_busy", path=request.url.path, sqlstate=code)
        return problem(
            HTTP_503_SERVICE_UNAVAILABLE,
            "The service is busy; try again in a moment. / 服务繁忙，请稍后再试。",
            headers={"Retry-After": "1"},
        )
    return _unexpected(request, exc)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    # one record per 5xx: the type and the stack, never the message (it can quote stored values)
    log.error(
        "unhandled_error",
        path=request.scope.get("path_template") or request.url.path,
        error_type=f"{type(exc).__module__}.{type(exc).__qualname__}",
        sqlstate=sqlstate(exc),
        stack="".join(traceback.format_tb(exc.__traceback__, limit=30)),
    )
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again later."
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    TutorError: _tutor_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    DBAPIError: _database,
    OverflowError: _out_of_range,
    UnicodeDecodeError: _bad_body,
    RecursionError: _bad_body,
    Exception: _unexpected,
}
