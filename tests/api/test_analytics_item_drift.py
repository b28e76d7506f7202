"""GET /v1/analytics/items/drift: an item far easier than its stated difficulty gets flagged."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp, create_user
from tutor.settings import Settings


async def test_item_everyone_gets_right_is_flagged(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
) -> None:
    await create_kp(session, "num.integers")
    leaked = await create_item(session, ["num.integers"], answer="5", difficulty=1.0)
    normal = await create_item(session, ["num.integers"], answer="5")
    learners = [await create_user(session, world.school, "student") for _ in range(20)]
    for learner in learners:  # new learners (P(known) 0.2) on a "hard" item: predicted ~0.2, all correct
        response = await client.post(
            "/v1/attempts",
            json={"item_id": str(leaked.id), "answer": "5"},
            headers=auth_headers(settings, learner),
        )
        assert response.status_code == 201
    await client.post(
        "/v1/attempts",
        json={"item_id": str(normal.id), "answer": "5"},
        headers=auth_headers(settings, learners[0]),
    )

    body = (
        await client.get("/v1/analytics/items/drift", headers=auth_headers(settings, world.teacher))
    ).json()
    assert [d["item_id"] for d in body] == [str(leaked.id)]
    assert body[0]["drift_z"] >= 3
    assert body[0]["drift_attempts"] == 20
    assert body[0]["difficulty"] < 1.0  # the online update already made it easier
    assert body[0]["knowledge_points"] == ["num.integers"]

    student = await client.get("/v1/analytics/items/drift", headers=auth_headers(settings, world.students[0]))
    assert student.status_code == 403
    # the shared bank is visible to every school; a school's own items are not (none flagged here)
    other = await client.get(
        "/v1/analytics/items/drift", headers=auth_headers(settings, world.outsider_admin)
    )
    assert other.status_code == 200
