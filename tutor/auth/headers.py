"""Security headers on every response, and ``Cache-Control: no-store`` on the API's answers.

A ``before_send`` hook of the app, so error answers (401 from authentication, 404 of unknown paths),
streams and the sign-in token get the same headers as ordinary responses. Everything under ``/v1`` is
about an account (tokens, learners' data, exports): no browser or proxy may keep a copy.
"""

from __future__ import annotations

from typing import Final

from litestar.types import Message, Scope

__all__ = ["NO_STORE_PREFIXES", "SECURITY_HEADERS", "add_security_headers"]

SECURITY_HEADERS: Final[tuple[tuple[bytes, bytes], ...]] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    # No script, style or frame from anywhere: the API serves JSON, and its reference page is plain HTML.
    (b"content-security-policy", b"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"),
)
NO_STORE_PREFIXES: Final = ("/v1",)


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Litestar ``before_send`` hook: it sees every response start, errors and 404s included."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    present = {bytes(name).lower() for name, _ in headers}
    headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
    if scope["path"].startswith(NO_STORE_PREFIXES):
        headers = [h for h in headers if bytes(h[0]).lower() not in (b"cache-control", b"pragma")]
        headers.extend(((b"cache-control", b"no-store"), (b"pragma", b"no-cache")))
    message["headers"] = headers  # type: ignore[typeddict-item]
