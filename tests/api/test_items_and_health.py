"""Items (answers hidden from learners), health, metrics and the OpenAPI schema."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.settings import Settings


async def test_learners_get_items_without_answers_staff_with(
    client: AsyncTestClient,
    world: World,
    session: AsyncSession,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    await create_kp(session, "lin.one_step")
    item = await create_item(session, ["lin.one_step"], answer="4", stem_latex="x + 3 = 7")
    student = await client.get(f"/v1/items/{item.id}", headers=auth_headers(settings, world.students[0]))
    assert student.status_code == 200
    assert student.json()["stem_latex"] == "x + 3 = 7"
    assert "answer" not in student.json()
    teacher = await client.get(f"/v1/items/{item.id}", headers=auth_headers(settings, world.teacher))
    assert teacher.json()["answer"] == "4"
    assert teacher.json()["knowledge_points"] == ["lin.one_step"]
    listed = await client.get(
        "/v1/items?knowledge_point=lin.one_step", headers=auth_headers(settings, world.teacher)
    )
    assert listed.json()["total"] == 1
    assert (
        await client.get("/v1/items", headers=auth_headers(settings, world.students[0]))
    ).status_code == 403


async def test_school_items_are_invisible_to_other_schools(
    client: AsyncTestClient,
    world: World,
    session: AsyncSession,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    await create_kp(session, "lin.one_step")
    private = await create_item(session, ["lin.one_step"], school=world.school)
    own = await client.get(f"/v1/items/{private.id}", headers=auth_headers(settings, world.teacher))
    assert own.status_code == 200
    other = await client.get(f"/v1/items/{private.id}", headers=auth_headers(settings, world.outsider_admin))
    assert other.status_code == 404
    listed = await client.get("/v1/items", headers=auth_headers(settings, world.outsider_admin))
    assert listed.json()["total"] == 0


async def test_health_ready_reports_database_and_migrations(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready" and body["database"] == "ready" and body["migrations"] == "at_head"
    assert body["engines"]["llm"].startswith("not_configured: set TUTOR_LLM_MODEL")
    assert set(body["engines"]) == {"formula", "llm", "speech"}
    assert body["engines"]["formula"].startswith("not_configured: set TUTOR_PIX2TEX_CHECKPOINT")


async def test_metrics_and_openapi_are_served(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    await client.get("/health/live")
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert "tutor_requests_total" in metrics.text
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/v1/attempts" in paths and "/v1/auth/token" in paths


async def test_unknown_route_and_oversized_body_are_problem_json(
    client: AsyncTestClient,
    world: World,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    headers = auth_headers(settings, world.teacher)
    missing = await client.get("/v1/nothing-here", headers=headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    huge = await client.post(
        "/v1/classes",
        content=b"{" + b" " * (settings.max_body_bytes + 10) + b"}",
        headers={**headers, "content-type": "application/json"},
    )
    assert huge.status_code == 413
