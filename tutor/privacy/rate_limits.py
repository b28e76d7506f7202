"""Rate limits on sign-in and on model routes (Litestar's RateLimitConfig), answering 429 + Retry-After.

Wire them in ``create_app``: ``middleware=[*rate_limit_middleware(PrivacySettings.from_env()), ...]``.
Each limit has its own store so the two counters never mix. Callers are told apart by their bearer token
(per account) when they send one, otherwise by client address.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from litestar import Request
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import (
    CacheObject,
    RateLimitConfig,
    RateLimitMiddleware,
    get_remote_address,
)

from tutor.privacy.config import PrivacySettings

__all__ = ["LOGIN_PATHS", "RetryAfterRateLimitMiddleware", "rate_limit_configs", "rate_limit_middleware"]

LOGIN_PATHS = ("/v1/auth/token",)


class RetryAfterRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's middleware, plus ``Retry-After`` (seconds) once the window is used up."""

    def create_response_headers(self, cache_object: CacheObject) -> dict[str, str]:
        headers = super().create_response_headers(cache_object)
        if len(cache_object.history) >= self.max_requests:
            headers["Retry-After"] = str(max(1, cache_object.reset - int(time.time())))
        return headers


def caller_identity(request: Request[Any, Any, Any]) -> str:
    """Per token when authenticated (hashed: tokens never reach the store), else per address."""
    authorization = request.headers.get("authorization")
    if authorization:
        return "token:" + hashlib.sha256(authorization.encode()).hexdigest()[:32]
    return "addr:" + get_remote_address(request)


def _path_check(prefixes: tuple[str, ...], *, post_only: bool) -> Any:
    def check(request: Request[Any, Any, Any]) -> bool:
        if post_only and request.method != "POST":
            return False
        return request.url.path.startswith(prefixes)

    return check


def rate_limit_configs(settings: PrivacySettings) -> list[RateLimitConfig]:
    """[login limit, model-route limit]; model routes count only POSTs (reads are not limited)."""
    return [
        RateLimitConfig(
            rate_limit=settings.login_rate,  # type: ignore[arg-type]
            check_throttle_handler=_path_check(LOGIN_PATHS, post_only=True),
            identifier_for_request=lambda request: "addr:" + get_remote_address(request),
            middleware_class=RetryAfterRateLimitMiddleware,
            store="rate_limit_login",
        ),
        RateLimitConfig(
            rate_limit=settings.model_rate,  # type: ignore[arg-type]
            check_throttle_handler=_path_check(settings.model_paths, post_only=True),
            identifier_for_request=caller_identity,
            middleware_class=RetryAfterRateLimitMiddleware,
            store="rate_limit_model",
        ),
    ]


def rate_limit_middleware(settings: PrivacySettings) -> list[DefineMiddleware]:
    return [config.middleware for config in rate_limit_configs(settings)]
