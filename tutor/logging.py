"""structlog JSON logs an operator can use, with no personal data in them.

* Request logging carries method, path, status and timing, never bodies, query strings or names.
* Every record of a request carries its ``request_id`` (the client's ``X-Request-ID`` when it is a
  short token, else a new one), also sent back in the response header, so a learner's report of
  an error can be matched to the server's record.
* 4xx are answers, not failures: they appear once, at info, in the response record, without a
  traceback. Each 5xx is one error record (``tutor.api.problems``) with the exception type and the
  stack frames but without the exception's message, which can quote stored values (a database
  error's DETAIL, a key that was looked up). SQL bound parameters are never logged
  (``hide_parameters`` on the engine).
"""

from __future__ import annotations

import logging
import re
import uuid

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.logging.config import StructLoggingConfig
from litestar.middleware.logging import LoggingMiddlewareConfig
from litestar.plugins.structlog import StructlogConfig, StructlogPlugin
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["REQUEST_ID_HEADER", "log_level_number", "request_id_middleware", "structlog_plugin"]

REQUEST_ID_HEADER = "x-request-id"
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def log_level_number(level: str) -> int:
    """``TUTOR_LOG_LEVEL`` (a standard level name) as the number logging and structlog filter on."""
    number = logging.getLevelNamesMapping().get(level.upper())
    if number is None:
        raise ValueError(f"TUTOR_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {level!r}")
    return number


def structlog_plugin(level: str) -> StructlogPlugin:
    return StructlogPlugin(
        config=StructlogConfig(
            structlog_logging_config=StructLoggingConfig(
                # exceptions are logged by our handlers (one record per 5xx, none for 4xx)
                log_exceptions="never",
                # records below TUTOR_LOG_LEVEL are dropped before they are rendered
                wrapper_class=structlog.make_filtering_bound_logger(log_level_number(level)),
            ),
            middleware_logging_config=LoggingMiddlewareConfig(
                request_log_fields=["method", "path"],
                response_log_fields=["status_code"],
                exclude=["^/health", "^/metrics"],
            ),
        )
    )


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Bind a request id to every log record of the request and return it as ``X-Request-ID``."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), "")
        request_id = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            await app(scope, receive, send_with_id)

    return middleware
