"""Service keys: scoped (exercise generation only by default), expiring, listed, revocable, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.audit import kinds
from tutor.db.models import ApiKey, AuditEvent
from tutor.settings import Settings


async def _key(client: AsyncTestClient[Litestar], settings: Settings, world: World, **body: object) -> dict:  # type: ignore[type-arg]
    created = await client.post(
        "/v1/service-keys", json={"name": "generator", **body}, headers=auth_headers(settings, world.admin)
    )
    assert created.status_code == 201, created.text
    return created.json()  # type: ignore[no-any-return]


async def test_a_default_key_only_generates_exercises(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    await create_kp(session, "lin.two_step")
    item = await create_item(session, ["lin.two_step"])
    created = await _key(client, settings, world)
    assert created["scopes"] == ["exercises:generate"]
    headers = {"X-API-Key": created["api_key"]}
    generated = await client.post(
        "/v1/exercises/generate", json={"knowledge_point": "lin.two_step", "count": 1}, headers=headers
    )
    assert generated.status_code == 201, generated.text
    refused = {
        "items": await client.get("/v1/items", headers=headers),
        "item": await client.get(f"/v1/items/{item.id}", headers=headers),
        "solve": await client.post("/v1/solve", json={"problem": "2x + 3 = 7"}, headers=headers),
        "check": await client.post(
            "/v1/answers/check", json={"expected": "1", "submitted": "1"}, headers=headers
        ),
        "recognize": await client.post(
            "/v1/recognize/formula", json={"image_base64": "AAAA"}, headers=headers
        ),
        "classes": await client.get("/v1/classes", headers=headers),
    }
    assert {name: r.status_code for name, r in refused.items()} == {name: 403 for name in refused}
    # Items a service makes wait for a teacher: they are not served to learners until approved.
    stored = generated.json()["items"][0]
    assert stored["verified"] is False and stored["review_status"] == "pending"
    kinds_seen = list(
        await session.scalars(
            select(AuditEvent.kind).where(AuditEvent.kind.in_([kinds.SERVICE_KEY_USED, kinds.AUTH_DENIED]))
        )
    )
    assert kinds_seen.count(kinds.SERVICE_KEY_USED) == 1 and kinds_seen.count(kinds.AUTH_DENIED) == 6


async def test_keys_with_more_scopes_can_read_items_and_solve(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    await create_kp(session, "lin.two_step")
    item = await create_item(session, ["lin.two_step"])
    created = await _key(client, settings, world, scopes=["items:read", "math:solve"])
    headers = {"X-API-Key": created["api_key"]}
    assert (await client.get(f"/v1/items/{item.id}", headers=headers)).status_code == 200
    assert (
        await client.post("/v1/solve", json={"problem": "2x + 3 = 7"}, headers=headers)
    ).status_code == 200
    generate = await client.post(
        "/v1/exercises/generate", json={"knowledge_point": "lin.two_step"}, headers=headers
    )
    assert generate.status_code == 403
    bad = await client.post(
        "/v1/service-keys",
        json={"name": "x", "scopes": ["admin"]},
        headers=auth_headers(settings, world.admin),
    )
    assert bad.status_code == 422


async def test_keys_expire_and_are_listed_and_revoked(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    admin = auth_headers(settings, world.admin)
    created = await _key(client, settings, world, expires_in_days=30)
    assert 29 <= (datetime.fromisoformat(created["expires_at"]) - datetime.now(UTC)).days <= 30
    headers = {"X-API-Key": created["api_key"]}
    assert (await client.get("/v1/me", headers=headers)).status_code == 200
    listed = await client.get("/v1/service-keys", headers=admin)
    assert listed.status_code == 200
    [info] = listed.json()
    assert info["id"] == created["id"] and info["active"] and info["last_used_at"] is not None
    assert "api_key" not in info and "key_hash" not in info
    outsider = await client.delete(
        f"/v1/service-keys/{created['id']}", headers=auth_headers(settings, world.outsider_admin)
    )
    assert outsider.status_code == 404
    assert (
        await client.get("/v1/service-keys", headers=auth_headers(settings, world.outsider_admin))
    ).json() == []
    revoked = await client.delete(f"/v1/service-keys/{created['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert (await client.get("/v1/me", headers=headers)).status_code == 401

    second = await _key(client, settings, world)
    await session.execute(
        update(ApiKey)
        .where(ApiKey.prefix == second["api_key"][:8])
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    await session.commit()
    assert (await client.get("/v1/me", headers={"X-API-Key": second["api_key"]})).status_code == 401
    audited = list(
        await session.scalars(
            select(AuditEvent.kind)
            .where(AuditEvent.kind.in_([kinds.SERVICE_KEY_CREATED, kinds.SERVICE_KEY_REVOKED]))
            .order_by(AuditEvent.seq)
        )
    )
    assert audited == [kinds.SERVICE_KEY_CREATED, kinds.SERVICE_KEY_REVOKED, kinds.SERVICE_KEY_CREATED]
