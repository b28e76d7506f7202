"""Litestar JWT (OAuth2 password bearer) plus service API keys in ``X-API-Key``.

The token carries only ids and the role. Every request re-reads the user so a deactivated or erased
account stops working at once, not when its token expires. Tokens are accepted only as
``Authorization: Bearer <jwt>`` (no cookie, no other scheme word), only with this deployment's
``iss`` and ``aud``, and only when their lifetime (``exp - iat``) is within the maximum.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AuthenticationResult
from litestar.security.jwt import OAuth2PasswordBearerAuth, Token
from litestar.security.jwt.middleware import JWTAuthenticationMiddleware
from sqlalchemy import select, update

from tutor.auth.api_keys import digest
from tutor.auth.principal import Principal
from tutor.db.models import ApiKey, User
from tutor.settings import Settings

__all__ = [
    "API_KEY_HEADER",
    "MAX_TOKEN_TTL_MINUTES",
    "MIN_SECRET_LENGTH",
    "PUBLIC_PATHS",
    "build_auth",
    "check_auth_settings",
    "issue_token",
]

API_KEY_HEADER = "X-API-Key"
PUBLIC_PATHS = ["^/schema", "^/health", "^/metrics", "^/v1/auth/token"]
MIN_SECRET_LENGTH: Final = 32
"""Characters; HS256 with a shorter secret can be brute-forced offline from one token."""
MAX_TOKEN_TTL_MINUTES: Final = 24 * 60
"""No token is accepted for longer than a day after it was issued, whatever it says."""


def check_auth_settings(settings: Settings) -> None:
    """Refuse to start with a guessable secret or an over-long token lifetime."""
    if len(settings.jwt_secret) < MIN_SECRET_LENGTH:
        raise ValueError(
            f"TUTOR_JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters long "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
        )
    if not 1 <= settings.jwt_ttl_minutes <= MAX_TOKEN_TTL_MINUTES:
        raise ValueError(f"TUTOR_JWT_TTL_MINUTES must be between 1 and {MAX_TOKEN_TTL_MINUTES}.")


async def _principal_for(connection: ASGIConnection[Any, Any, Any, Any], user_id: UUID) -> Principal | None:
    async with connection.app.state.session_maker() as session:
        user = await session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return Principal(id=user.id, role=user.role, school_id=user.school_id)


async def retrieve_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    lifetime = token.exp - token.iat
    if lifetime > timedelta(minutes=MAX_TOKEN_TTL_MINUTES) or lifetime <= timedelta(0):
        return None
    try:
        return await _principal_for(connection, UUID(token.sub))
    except ValueError:
        return None


class TutorAuthMiddleware(JWTAuthenticationMiddleware):
    """``Authorization: Bearer <jwt>`` for people; ``X-API-Key`` for services (scoped, expiring keys)."""

    def __init__(self, *args: Any, auth_cookie_key: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # the cookie key is dropped: tokens in cookies are not accepted

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        api_key = connection.headers.get(API_KEY_HEADER)
        if api_key:
            return await self._authenticate_key(connection, api_key)
        header = connection.headers.get(self.auth_header)
        if not header:
            raise NotAuthorizedException("Sign in first: send `Authorization: Bearer <token>`.")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token or " " in token:
            raise NotAuthorizedException("Send the token as `Authorization: Bearer <token>`.")
        return await self.authenticate_token(encoded_token=token, connection=connection)

    async def _authenticate_key(
        self, connection: ASGIConnection[Any, Any, Any, Any], api_key: str
    ) -> AuthenticationResult:
        now = datetime.now(UTC)
        async with connection.app.state.session_maker() as session, session.begin():
            row = await session.scalar(
                select(ApiKey).where(
                    ApiKey.key_hash == digest(api_key), ApiKey.revoked_at.is_(None), ApiKey.expires_at > now
                )
            )
            if row is not None:
                await session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
        principal = await _principal_for(connection, row.service_user_id) if row else None
        if row is None or principal is None or principal.role != "service":
            raise NotAuthorizedException("Invalid, expired or revoked API key")
        scoped = Principal(
            id=principal.id,
            role="service",
            school_id=principal.school_id,
            scopes=frozenset(row.scopes),
            key_id=row.id,
        )
        return AuthenticationResult(user=scoped, auth=row)


def build_auth(settings: Settings) -> OAuth2PasswordBearerAuth[Principal, Token]:
    check_auth_settings(settings)
    return OAuth2PasswordBearerAuth[Principal, Token](
        retrieve_user_handler=retrieve_user,
        token_secret=settings.jwt_secret,
        token_url="/v1/auth/token",
        exclude=PUBLIC_PATHS,
        default_token_expiration=timedelta(minutes=settings.jwt_ttl_minutes),
        authentication_middleware_class=TutorAuthMiddleware,  # type: ignore[arg-type]  # header-only
        accepted_issuers=[settings.jwt_issuer],
        accepted_audiences=[settings.jwt_audience],
        require_claims=["iat", "exp", "sub", "iss", "aud"],
    )


def issue_token(settings: Settings, user: User) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    ttl = timedelta(minutes=min(settings.jwt_ttl_minutes, MAX_TOKEN_TTL_MINUTES))
    now = datetime.now(UTC).replace(microsecond=0)
    token = Token(
        sub=str(user.id),
        iat=now,
        exp=now + ttl,
        iss=settings.jwt_issuer,
        aud=settings.jwt_audience,
        extras={"role": user.role, "school": str(user.school_id)},
    )
    return token.encode(secret=settings.jwt_secret, algorithm="HS256"), int(ttl.total_seconds())
