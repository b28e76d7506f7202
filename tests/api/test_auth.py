"""Sign-in, tokens and service keys."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import PASSWORD, World, auth_headers, create_user
from tutor.settings import Settings


async def _login(client: AsyncTestClient, username: str, password: str) -> object:  # type: ignore[type-arg]
    return await client.post("/v1/auth/token", data={"username": username, "password": password})


async def test_password_login_returns_a_jwt_that_opens_me(client: AsyncTestClient, world: World) -> None:  # type: ignore[type-arg]
    response = await _login(client, world.students[0].username, PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == str(world.students[0].id)
    assert me.json()["role"] == "student"


async def test_wrong_password_is_401_problem_json(client: AsyncTestClient, world: World) -> None:  # type: ignore[type-arg]
    response = await _login(client, world.students[0].username, "not-the-password")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "Wrong username or password. / 用户名或密码错误。"
    unknown = await _login(client, "nobody-here", PASSWORD)
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == response.json()["detail"]  # no user enumeration


async def test_routes_need_a_token(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    forged = await client.get("/v1/me", headers={"Authorization": "Bearer not.a.token"})
    assert forged.status_code == 401


async def test_deactivated_user_token_stops_working(
    client: AsyncTestClient,
    world: World,
    session: AsyncSession,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.students[0])
    assert (await client.get("/v1/me", headers=headers)).status_code == 200
    world.students[0].is_active = False
    await session.commit()
    assert (await client.get("/v1/me", headers=headers)).status_code == 401


async def test_service_key_created_by_admin_authenticates_as_service(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    created = await client.post(
        "/v1/service-keys", json={"name": "exercise generator"}, headers=auth_headers(settings, world.admin)
    )
    assert created.status_code == 201
    key = created.json()["api_key"]
    me = await client.get("/v1/me", headers={"X-API-Key": key})
    assert me.status_code == 200
    assert me.json()["role"] == "service"
    assert (await client.get("/v1/me", headers={"X-API-Key": key + "x"})).status_code == 401


async def test_only_admins_create_service_keys(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    for user in (world.teacher, world.students[0]):
        response = await client.post(
            "/v1/service-keys", json={"name": "x"}, headers=auth_headers(settings, user)
        )
        assert response.status_code == 403


async def test_service_accounts_cannot_password_login(
    client: AsyncTestClient,
    world: World,
    session: AsyncSession,  # type: ignore[type-arg]
) -> None:
    service = await create_user(session, world.school, "service")
    assert (await _login(client, service.username, PASSWORD)).status_code == 401
