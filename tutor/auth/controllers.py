"""Sign-in (OAuth2 password flow -> JWT) and service API keys (create, list, revoke)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.enums import RequestEncodingType
from litestar.middleware.rate_limit import get_remote_address
from litestar.params import Body
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.api.types import AuthedRequest
from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.auth import login_throttle
from tutor.auth.api_keys import digest, new_key
from tutor.auth.guards import requires_roles
from tutor.auth.passwords import verify_password_async
from tutor.auth.scopes import ANY_KEY, DEFAULT_SCOPES, SCOPES, SERVICE_SCOPE
from tutor.auth.security import issue_token
from tutor.db.models import ApiKey, User
from tutor.errors import NotFoundError, UnauthorizedError
from tutor.privacy.config import PrivacySettings
from tutor.schemas import Me
from tutor.settings import Settings

__all__ = ["AuthController"]

MAX_SAME_USERNAME: Final = 8
"""Accounts of different schools sharing a username that one sign-in without ``school_id`` tries."""

Scope = Annotated[str, msgspec.Meta(pattern="^(" + "|".join(SCOPES) + ")$")]


class TokenForm(msgspec.Struct):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    school_id: UUID | None = None
    """Needed only when the same username exists in several schools (usernames are unique per school)."""


class TokenOut(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int


class ServiceKeyIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    scopes: Annotated[list[Scope], msgspec.Meta(min_length=1, max_length=len(SCOPES))] = msgspec.field(
        default_factory=lambda: list(DEFAULT_SCOPES)
    )
    """Default: exercise generation only. ``items:read`` (the item bank with answers), ``math:solve``."""
    expires_in_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 90


class ServiceKeyInfo(msgspec.Struct):
    id: UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool


class ServiceKeyOut(msgspec.Struct):
    id: str
    name: str
    api_key: str
    """Shown once; store it now."""
    scopes: list[str]
    expires_at: datetime


def _info(row: ApiKey, now: datetime) -> ServiceKeyInfo:
    return ServiceKeyInfo(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=list(row.scopes),
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        active=row.revoked_at is None and row.expires_at > now,
    )


async def _candidate(db_session: AsyncSession, data: TokenForm) -> tuple[User | None, list[User]]:
    """The one account the username names, or (None, candidates) when several schools share it."""
    query = select(User).where(User.username == data.username, User.role != "service")
    if data.school_id is not None:
        query = query.where(User.school_id == data.school_id)
    found = list(await db_session.scalars(query.order_by(User.id).limit(MAX_SAME_USERNAME)))
    return (found[0] if len(found) == 1 else None), found


class AuthController(Controller):
    path = "/v1"
    tags = ["auth"]

    @post("/auth/token", status_code=200, summary="Sign in with username and password")
    async def token(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        settings: Settings,
        data: Annotated[TokenForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> TokenOut:
        privacy = PrivacySettings.from_env(settings.env)
        single, candidates = await _candidate(db_session, data)
        account = str(single.id) if single is not None else "name:" + data.username.lower()
        sessions = request.app.state.session_maker
        async with sessions() as throttle_session, throttle_session.begin():
            keys = await login_throttle.login_keys(
                throttle_session, account=account, address=get_remote_address(request)
            )
            await login_throttle.refuse_if_throttled(
                throttle_session, keys, single.id if single else None, privacy
            )
        if not candidates:  # as slow as a real check, so timing does not tell which usernames exist
            await verify_password_async(data.password, None)
        matches = [
            candidate
            for candidate in candidates
            if await verify_password_async(data.password, candidate.password_hash)
        ]
        user = matches[0] if len(matches) == 1 else None
        if user is None or not user.is_active:
            async with sessions() as throttle_session, throttle_session.begin():
                await login_throttle.record_failure(throttle_session, keys, privacy)
            raise UnauthorizedError("Wrong username or password. / 用户名或密码错误。")
        await login_throttle.record_success(db_session, keys, user.id)
        token, ttl = issue_token(settings, user)
        return TokenOut(access_token=token, token_type="bearer", expires_in=ttl)

    @get("/me", summary="The signed-in account", opt={SERVICE_SCOPE: ANY_KEY})
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
            created_by=request.user.id,
        )
        db_session.add(service_user)
        await db_session.flush()
        key = new_key()
        scopes = sorted(set(data.scopes))
        row = ApiKey(
            school_id=school_id,
            service_user_id=service_user.id,
            name=data.name,
            prefix=key[:8],
            key_hash=digest(key),
            scopes=scopes,
            expires_at=datetime.now(UTC) + timedelta(days=data.expires_in_days),
            created_by=request.user.id,
        )
        db_session.add(row)
        await db_session.flush()
        await record_event(
            db_session,
            kind=kinds.SERVICE_KEY_CREATED,
            actor_id=request.user.id,
            actor_role=request.user.role,
            learner_id=None,
            school_id=school_id,
            payload={"key_id": row.id, "name": data.name, "scopes": scopes, "expires_at": row.expires_at},
        )
        return ServiceKeyOut(
            id=str(row.id), name=data.name, api_key=key, scopes=scopes, expires_at=row.expires_at
        )

    @get("/service-keys", guards=[requires_roles("admin")], summary="The school's service keys (no secrets)")
    async def list_service_keys(
        self, request: AuthedRequest, db_session: AsyncSession
    ) -> list[ServiceKeyInfo]:
        now = datetime.now(UTC)
        rows = await db_session.scalars(
            select(ApiKey)
            .where(ApiKey.school_id == request.user.school_id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id)
        )
        return [_info(row, now) for row in rows]

    @delete(
        "/service-keys/{key_id:uuid}",
        status_code=200,
        guards=[requires_roles("admin")],
        summary="Revoke a service key; it stops working at once",
    )
    async def revoke_service_key(
        self, request: AuthedRequest, db_session: AsyncSession, key_id: UUID
    ) -> ServiceKeyInfo:
        row = await db_session.get(ApiKey, key_id, with_for_update=True)
        if row is None or row.school_id != request.user.school_id:
            raise NotFoundError("Service key not found.")
        now = datetime.now(UTC)
        if row.revoked_at is None:
            row.revoked_at, row.revoked_by = now, request.user.id
            await db_session.flush()
            await record_event(
                db_session,
                kind=kinds.SERVICE_KEY_REVOKED,
                actor_id=request.user.id,
                actor_role=request.user.role,
                learner_id=None,
                school_id=row.school_id,
                payload={"key_id": row.id, "name": row.name},
            )
        return _info(row, now)
