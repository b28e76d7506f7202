"""Litestar JWT (OAuth2 password bearer) plus service API keys in ``X-API-Key``.

The token carries only ids and the role. Every request re-reads the user so a deactivated or erased
account stops working at once, not when its token expires.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AuthenticationResult
from litestar.security.jwt import OAuth2PasswordBearerAuth, Token
from litestar.security.jwt.middleware import JWTCookieAuthenticationMiddleware
from sqlalchemy import select

from tutor.auth.api_keys import digest
from tutor.auth.principal import Principal
from tutor.db.models import ApiKey, User
from tutor.settings import Settings

__all__ = ["API_KEY_HEADER", "PUBLIC_PATHS", "build_auth", "issue_token"]

API_KEY_HEADER = "X-API-Key"
PUBLIC_PATHS = ["^/schema", "^/health", "^/metrics", "^/v1/auth/token"]


async def _principal_for(connection: ASGIConnection[Any, Any, Any, Any], user_id: UUID) -> Principal | None:
    async with connection.app.state.session_maker() as session:
        user = await session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return Principal(id=user.id, role=user.role, school_id=user.school_id)


async def retrieve_user(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    try:
        return await _principal_for(connection, UUID(token.sub))
    except ValueError:
        return None


class TutorAuthMiddleware(JWTCookieAuthenticationMiddleware):
    """Bearer JWT for people; ``X-API-Key`` for services of the exercise-generation API."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        api_key = connection.headers.get(API_KEY_HEADER)
        if api_key:
            async with connection.app.state.session_maker() as session:
                row = await session.scalar(
                    select(ApiKey).where(ApiKey.key_hash == digest(api_key), ApiKey.revoked_at.is_(None))
                )
            principal = await _principal_for(connection, row.service_user_id) if row else None
            if principal is None or principal.role != "service":
                raise NotAuthorizedException("Invalid API key")
            return AuthenticationResult(user=principal, auth=row)
        return await super().authenticate_request(connection)


def build_auth(settings: Settings) -> OAuth2PasswordBearerAuth[Principal, Token]:
    return OAuth2PasswordBearerAuth[Principal, Token](
        retrieve_user_handler=retrieve_user,
        token_secret=settings.jwt_secret,
        token_url="/v1/auth/token",
        exclude=PUBLIC_PATHS,
        default_token_expiration=timedelta(minutes=settings.jwt_ttl_minutes),
        authentication_middleware_class=TutorAuthMiddleware,
    )


def issue_token(settings: Settings, user: User) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    ttl = timedelta(minutes=settings.jwt_ttl_minutes)
    token = Token(
        sub=str(user.id),
        exp=datetime.now(UTC) + ttl,
        extras={"role": user.role, "school": str(user.school_id)},
    )
    return token.encode(secret=settings.jwt_secret, algorithm="HS256"), int(ttl.total_seconds())
