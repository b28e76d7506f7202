"""Bad input is a 4xx problem+json every time, never a 500 (each case below once answered 500)."""

from __future__ import annotations

import uuid

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.settings import Settings


def _is_problem(response: object, *codes: int) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert status in codes, (status, response.text)  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    assert response.json()["detail"]  # type: ignore[attr-defined]


@pytest.fixture
async def item_id(session: AsyncSession, world: World) -> str:
    await create_kp(session, "lin.one_step")
    return str((await create_item(session, ["lin.one_step"], answer="5")).id)


async def test_nul_bytes_in_json_form_and_query_are_4xx(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, item_id: str
) -> None:
    student = auth_headers(settings, world.students[0])
    answered = await client.post(
        "/v1/attempts", json={"item_id": item_id, "answer": "5\u0000"}, headers=student
    )
    _is_problem(answered, 400, 422)
    login = await client.post("/v1/auth/token", data={"username": "a\u0000b", "password": "whatever-long"})
    _is_problem(login, 400, 401, 422)
    listed = await client.get(
        "/v1/items?knowledge_point=a%00b", headers=auth_headers(settings, world.teacher)
    )
    _is_problem(listed, 400, 422)
    named = await client.post(
        "/v1/classes", json={"name": "七年级\u00001班"}, headers=auth_headers(settings, world.teacher)
    )
    _is_problem(named, 400, 422)


async def test_invalid_utf8_body_is_400(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, item_id: str
) -> None:
    body = b'{"item_id": "' + item_id.encode() + b'", "answer": "\xff\xfe"}'
    response = await client.post(
        "/v1/attempts",
        content=body,
        headers={**auth_headers(settings, world.students[0]), "content-type": "application/json"},
    )
    _is_problem(response, 400, 422)


async def test_deeply_nested_json_is_4xx(
    client: AsyncTestClient[Litestar], world: World, settings: Settings
) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = await client.post(
        "/v1/attempts",
        content=body,
        headers={**auth_headers(settings, world.students[0]), "content-type": "application/json"},
    )
    _is_problem(response, 400, 422)
    nested = '{"item_id": "x", "answer": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}"
    response = await client.post(
        "/v1/attempts",
        content=nested,
        headers={**auth_headers(settings, world.students[0]), "content-type": "application/json"},
    )
    _is_problem(response, 400, 422)


async def test_integers_past_int32_and_int64_are_4xx(
    client: AsyncTestClient[Litestar], world: World, settings: Settings
) -> None:
    teacher = auth_headers(settings, world.teacher)
    turn = await client.post(f"/v1/dialogues/{uuid.uuid4()}/turns/2147483648/approve", headers=teacher)
    _is_problem(turn, 400, 403, 404, 422)
    admin = auth_headers(settings, world.admin)
    verify = await client.get("/v1/audit/verify?from=99999999999999999999", headers=admin)
    _is_problem(verify, 400, 422)
    page = await client.get("/v1/items?limit=99999999999999999999", headers=teacher)
    _is_problem(page, 400, 422)
    offset = await client.get(
        "/v1/me/attempts?offset=9223372036854775808", headers=auth_headers(settings, world.students[0])
    )
    _is_problem(offset, 400, 422)


async def test_dates_at_the_year_limit_are_4xx(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, item_id: str
) -> None:
    teacher = auth_headers(settings, world.teacher)
    base = f"/v1/classes/{world.school_class.id}/analytics/progress"
    _is_problem(await client.get(f"{base}?from=9999-01-01", headers=teacher), 400, 422)
    _is_problem(await client.get(f"{base}?to=0001-01-01", headers=teacher), 400, 422)
    answered = await client.post(
        "/v1/attempts",
        json={"item_id": item_id, "answer": "5", "client_ts": "9999-12-31T23:59:59-01:00"},
        headers=auth_headers(settings, world.students[0]),
    )
    _is_problem(answered, 400, 422)
    early = await client.post(
        "/v1/attempts",
        json={"item_id": item_id, "answer": "5", "client_ts": "0001-01-01T00:00:00+01:00"},
        headers=auth_headers(settings, world.students[0]),
    )
    _is_problem(early, 400, 422)


@pytest.mark.parametrize(
    "path",
    ["/v1/attempts", "/v1/me/next-exercise", "/v1/classes", "/v1/audit/verify", "/v1/analytics/items/drift"],
)
async def test_options_on_role_guarded_routes_without_cors_is_not_a_500(
    client: AsyncTestClient[Litestar], path: str
) -> None:
    response = await client.options(path)
    assert response.status_code < 500, response.text
