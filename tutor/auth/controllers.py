"""Sign-in (OAuth2 password flow -> JWT) and service API keys."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.api.types import AuthedRequest
from tutor.auth.api_keys import digest, new_key
from tutor.auth.guards import requires_roles
from tutor.auth.passwords import verify_password
from tutor.auth.security import issue_token
from tutor.db.models import ApiKey, User
from tutor.errors import UnauthorizedError
from tutor.schemas import Me
from tutor.settings import Settings

__all__ = ["AuthController"]


class TokenForm(msgspec.Struct):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class TokenOut(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int


class ServiceKeyIn(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class ServiceKeyOut(msgspec.Struct):
    id: str
    name: str
    api_key: str
    """Shown once; store it now."""


class AuthController(Controller):
    path = "/v1"
    tags = ["auth"]

    @post("/auth/token", status_code=200, summary="Sign in with username and password")
    async def token(
        self,
        db_session: AsyncSession,
        settings: Settings,
        data: Annotated[TokenForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> TokenOut:
        user = await db_session.scalar(select(User).where(User.username == data.username))
        ok = verify_password(data.password, user.password_hash if user else None)
        if user is None or not ok or not user.is_active or user.role == "service":
            raise UnauthorizedError("Wrong username or password.")
        token, ttl = issue_token(settings, user)
        return TokenOut(access_token=token, token_type="bearer", expires_in=ttl)

    @get("/me", summary="The signed-in account")
    async def me(self, request: AuthedRequest, db_session: AsyncSession) -> Me:
        user = await db_session.get(User, request.user.id)
        assert user is not None  # the auth middleware just loaded it
        return Me(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            school_id=user.school_id,
        )

    @post("/service-keys", guards=[requires_roles("admin")], summary="Create a service API key (admin)")
    async def create_service_key(
        self, request: AuthedRequest, db_session: AsyncSession, data: ServiceKeyIn
    ) -> ServiceKeyOut:
        school_id = request.user.school_id
        service_user = User(
            school_id=school_id,
            role="service",
            username=f"svc-{new_key()[3:15].lower()}",
            display_name=data.name,
            password_hash=None,
        )
        db_session.add(service_user)
        await db_session.flush()
        key = new_key()
        row = ApiKey(
            school_id=school_id,
            service_user_id=service_user.id,
            name=data.name,
            prefix=key[:8],
            key_hash=digest(key),
        )
        db_session.add(row)
        await db_session.flush()
        return ServiceKeyOut(id=str(row.id), name=data.name, api_key=key)
