"""Tokens, headers and sign-in protection on the real app (issue 13: "smaller" findings, rate limits)."""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.security.jwt import Token
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, World, auth_headers, create_school, create_user
from tutor.app import create_app
from tutor.auth.security import issue_token
from tutor.settings import Settings, _secret


def _with_env(settings: Settings, **env: str) -> Settings:
    return dataclasses.replace(settings, env={**settings.env, **env})


class _Addressed:
    """The real app, seen from the client address a test names (the test client has one fixed address)."""

    def __init__(self, app: Litestar) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"x-test-client-address":
                    scope = {**scope, "client": (value.decode(), 40000)}
        await self.app(scope, receive, send)


@asynccontextmanager
async def _clients(app: Litestar) -> AsyncIterator[Any]:
    async with AsyncTestClient(app=_Addressed(app)) as client:  # type: ignore[type-var]

        def from_address(address: str) -> Any:
            class From:
                async def post(self, url: str, **kwargs: Any) -> httpx.Response:
                    headers = {**kwargs.pop("headers", {}), "x-test-client-address": address}
                    return await client.post(url, headers=headers, **kwargs)

            return From()

        yield from_address


async def _login(client: Any, username: str, password: str, **extra: str) -> httpx.Response:
    return await client.post("/v1/auth/token", data={"username": username, "password": password, **extra})


# --- bearer only, iss/aud, lifetime, secret ---------------------------------------------------------


async def test_only_the_bearer_scheme_in_the_authorization_header_authenticates(
    client: AsyncTestClient[Litestar], world: World, settings: Settings
) -> None:
    token, _ = issue_token(settings, world.students[0])
    assert (await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})).status_code == 200
    assert (await client.get("/v1/me", headers={"Authorization": f"bearer {token}"})).status_code == 200
    for header in (f"Bearer1 {token}", f"x {token}", f"Basic {token}", token, f"Bearer {token} extra"):
        response = await client.get("/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
    cookie = await client.get("/v1/me", headers={"Cookie": f"token={token}"})
    assert cookie.status_code == 401


async def test_tokens_need_this_deployments_issuer_and_audience_and_a_bounded_lifetime(
    client: AsyncTestClient[Litestar], world: World, settings: Settings
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)

    def forged(**fields: Any) -> dict[str, str]:
        claims: dict[str, Any] = {
            "sub": str(world.admin.id),
            "iat": now,
            "exp": now + timedelta(minutes=5),
            "iss": settings.jwt_issuer,
            "aud": settings.jwt_audience,
            **fields,
        }
        return {"Authorization": "Bearer " + Token(**claims).encode(settings.jwt_secret, "HS256")}

    assert (await client.get("/v1/me", headers=forged())).status_code == 200
    assert (await client.get("/v1/me", headers=forged(aud="another-service"))).status_code == 401
    assert (await client.get("/v1/me", headers=forged(iss="someone-else"))).status_code == 401
    assert (await client.get("/v1/me", headers=forged(aud=None, iss=None))).status_code == 401
    century = forged(exp=now + timedelta(days=36500))
    assert (await client.get("/v1/me", headers=century)).status_code == 401


def test_a_short_secret_or_an_over_long_token_lifetime_stops_start_up(settings: Settings) -> None:
    with pytest.raises(ValueError, match="at least 32 characters"):
        create_app(dataclasses.replace(settings, jwt_secret="x"))
    with pytest.raises(ValueError, match="TUTOR_JWT_TTL_MINUTES"):
        create_app(dataclasses.replace(settings, jwt_ttl_minutes=60 * 24 * 365 * 100))


def test_the_generated_secret_file_is_private_from_its_creation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even with a permissive umask and no chance to chmod afterwards, nobody else can read it."""
    monkeypatch.setattr(os, "chmod", lambda *a, **k: None)
    monkeypatch.setattr(Path, "chmod", lambda *a, **k: None)
    old = os.umask(0)
    try:
        value = _secret(tmp_path / "data")
    finally:
        os.umask(old)
    path = tmp_path / "data" / "jwt-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(value) >= 32 and _secret(tmp_path / "data") == value


# --- headers -------------------------------------------------------------------------------------------


async def test_security_headers_and_no_store_on_tokens_errors_and_personal_data(
    client: AsyncTestClient[Litestar], world: World, settings: Settings
) -> None:
    signed_in = await _login(client, world.students[0].username, PASSWORD)
    denied = await client.get("/v1/me")
    export = await client.get(
        f"/v1/learners/{world.students[0].id}/export", headers=auth_headers(settings, world.students[0])
    )
    for response in (signed_in, denied, export):
        assert response.headers["cache-control"] == "no-store", response.request.url
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert (signed_in.status_code, denied.status_code, export.status_code) == (200, 401, 200)


async def test_the_api_reference_page_runs_no_script(client: AsyncTestClient[Litestar]) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200 and "/v1/attempts" in page.text
    assert "<script" not in page.text.lower() and "http" not in page.text.split("<body>")[1]
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none' covers scripts
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200 and "/v1/auth/token" in schema.json()["paths"]


# --- sign-in protection --------------------------------------------------------------------------------


async def test_failed_sign_ins_back_off_per_account_from_any_address(
    world: World, settings: Settings
) -> None:
    app = create_app(_with_env(settings, TUTOR_LOGIN_FREE_FAILURES="3"))
    victim, bystander = world.students[0], world.students[1]
    async with _clients(app) as from_address:
        attacker, elsewhere = from_address("10.0.0.1"), from_address("10.0.0.2")
        codes = [(await _login(attacker, victim.username, "guess")).status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]  # 3 free failures, then a wait
        throttled = await _login(attacker, victim.username, PASSWORD)
        assert throttled.status_code == 429 and 20 <= int(throttled.headers["retry-after"]) <= 30
        assert throttled.json()["code"] == "sign_in_throttled"
        assert (await _login(elsewhere, victim.username, PASSWORD)).status_code == 429  # per account
        assert (await _login(elsewhere, bystander.username, PASSWORD)).status_code == 200


async def test_one_address_flooding_failures_cannot_lock_out_a_school_behind_it(
    world: World, settings: Settings
) -> None:
    """A school's NAT address: learners who signed in there before keep signing in while an attacker
    on the same address floods it; accounts never seen there are refused until the window passes."""
    app = create_app(_with_env(settings, TUTOR_LOGIN_ADDRESS_FAILURES="5/hour"))
    regular, newcomer = world.students[0], world.students[1]
    async with _clients(app) as from_address:
        school_nat, home = from_address("203.0.113.7"), from_address("198.51.100.9")
        assert (await _login(school_nat, regular.username, PASSWORD)).status_code == 200
        for n in range(5):  # password spraying over many usernames: never the same account twice
            assert (await _login(school_nat, f"guessed-{n}", "123456")).status_code == 401
        assert (await _login(school_nat, regular.username, PASSWORD)).status_code == 200
        blocked = await _login(school_nat, newcomer.username, PASSWORD)
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 60
        assert (await _login(home, newcomer.username, PASSWORD)).status_code == 200


async def test_usernames_are_unique_per_school_and_sign_in_picks_the_right_school(
    client: AsyncTestClient[Litestar], session: AsyncSession, world: World, settings: Settings
) -> None:
    other = await create_school(session, "School C")
    here = await create_user(session, world.school, "student", username="sam")
    there = await create_user(session, other, "student", username="sam")
    me = await _login(client, "sam", PASSWORD, school_id=str(other.id))
    assert me.status_code == 200
    whoami = await client.get("/v1/me", headers={"Authorization": "Bearer " + me.json()["access_token"]})
    assert whoami.json()["id"] == str(there.id)
    mine = await _login(client, "sam", PASSWORD, school_id=str(world.school.id))
    whoami = await client.get("/v1/me", headers={"Authorization": "Bearer " + mine.json()["access_token"]})
    assert whoami.json()["id"] == str(here.id)
    # Both share the password here, so without a school the sign-in cannot tell them apart.
    assert (await _login(client, "sam", PASSWORD)).status_code == 401
    # A teacher creating a learner named like another school's learner learns nothing about it.
    created = await client.post(
        f"/v1/classes/{world.school_class.id}/learners",
        json={"new_learners": [{"username": "zoe", "display_name": "Zoe", "password": "long-enough-1"}]},
        headers=auth_headers(settings, world.teacher),
    )
    await create_user(session, other, "student", username="zoe2")
    other_school_name = await client.post(
        f"/v1/classes/{world.school_class.id}/learners",
        json={"new_learners": [{"username": "zoe2", "display_name": "Zoe", "password": "long-enough-1"}]},
        headers=auth_headers(settings, world.teacher),
    )
    assert created.status_code == 201 and other_school_name.status_code == 201
