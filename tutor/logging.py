"""structlog JSON logs. Request logging carries method, path, status and timing, never bodies or names."""

from __future__ import annotations

from litestar.logging.config import StructLoggingConfig
from litestar.middleware.logging import LoggingMiddlewareConfig
from litestar.plugins.structlog import StructlogConfig, StructlogPlugin

__all__ = ["structlog_plugin"]


def structlog_plugin(level: str) -> StructlogPlugin:
    return StructlogPlugin(
        config=StructlogConfig(
            structlog_logging_config=StructLoggingConfig(log_exceptions="always"),
            middleware_logging_config=LoggingMiddlewareConfig(
                request_log_fields=["method", "path"],
                response_log_fields=["status_code"],
                exclude=["^/health", "^/metrics"],
            ),
        )
    )
