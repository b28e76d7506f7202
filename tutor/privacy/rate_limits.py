"""Per-account rate limits on the routes that cost the most (Litestar's RateLimitConfig), 429 + Retry-After.

Routes are *marked*, not matched by path: a handler (or controller) declares
``opt={**MODEL_ROUTE}`` when it runs a model, ``MATH_ROUTE`` for the math engine, or both. A new model
route that forgets the marker is caught by the test that walks every route of the real app. The key is
the authenticated principal's id: the authentication middleware runs first, so ``request.user`` is set
and no header text (which an attacker can vary: ``Bearer1``, extra spaces) decides the bucket.

Counters live in the app's in-process store: per worker process, reset on restart (limits are for
fairness between accounts; the sign-in protection that must survive restarts is in PostgreSQL,
``tutor.auth.login_throttle``).
"""

from __future__ import annotations

import time
from typing import Any, Final

from litestar import Request
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import (
    CacheObject,
    RateLimitConfig,
    RateLimitMiddleware,
    get_remote_address,
)

from tutor.privacy.config import PrivacySettings

__all__ = [
    "MATH",
    "MATH_ROUTE",
    "MODEL",
    "MODEL_AND_MATH_ROUTE",
    "MODEL_ROUTE",
    "RATE_LIMIT_OPT",
    "RetryAfterRateLimitMiddleware",
    "rate_classes",
    "rate_limit_configs",
    "rate_limit_middleware",
]

RATE_LIMIT_OPT: Final = "rate_limit"
MODEL: Final = "model"
MATH: Final = "math"
MODEL_ROUTE: Final[dict[str, Any]] = {RATE_LIMIT_OPT: (MODEL,)}
MATH_ROUTE: Final[dict[str, Any]] = {RATE_LIMIT_OPT: (MATH,)}
MODEL_AND_MATH_ROUTE: Final[dict[str, Any]] = {RATE_LIMIT_OPT: (MODEL, MATH)}
"""``/v1/solve``: symbolic by default, the model with ``engine=llm``/``auto``."""


class RetryAfterRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's middleware, plus ``Retry-After`` (seconds) once the window is used up."""

    def create_response_headers(self, cache_object: CacheObject) -> dict[str, str]:
        headers = super().create_response_headers(cache_object)
        if len(cache_object.history) >= self.max_requests:
            headers["Retry-After"] = str(max(1, cache_object.reset - int(time.time())))
        return headers


def rate_classes(request: Request[Any, Any, Any]) -> tuple[str, ...]:
    handler = request.scope.get("route_handler")
    marked = handler.opt.get(RATE_LIMIT_OPT, ()) if handler is not None else ()
    return tuple(marked)


def principal_identity(request: Request[Any, Any, Any]) -> str:
    """The signed-in account (set by the authentication middleware, which runs before this one)."""
    user = request.scope.get("user")
    user_id = getattr(user, "id", None)
    return f"principal:{user_id}" if user_id is not None else "addr:" + get_remote_address(request)


def _marked(rate_class: str) -> Any:
    def check(request: Request[Any, Any, Any]) -> bool:
        return rate_class in rate_classes(request)

    return check


def rate_limit_configs(settings: PrivacySettings) -> list[RateLimitConfig]:
    """[model-route limit, math-route limit], each per account with its own store."""
    return [
        RateLimitConfig(
            rate_limit=rate,  # type: ignore[arg-type]
            check_throttle_handler=_marked(rate_class),
            identifier_for_request=principal_identity,
            middleware_class=RetryAfterRateLimitMiddleware,
            store=f"rate_limit_{rate_class}",
        )
        for rate_class, rate in ((MODEL, settings.model_rate), (MATH, settings.math_rate))
    ]


def rate_limit_middleware(settings: PrivacySettings) -> list[DefineMiddleware]:
    return [config.middleware for config in rate_limit_configs(settings)]
