"""Through the API: mastery fades after two weeks without practice and the next exercise checks it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar.testing import AsyncTestClient
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.db.models import Mastery
from tutor.settings import Settings


async def test_learner_back_after_two_weeks_gets_a_mastery_check(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
) -> None:
    await create_kp(session, "lin.one_step")
    await create_kp(session, "lin.two_step", requires=["lin.one_step"])
    one = [await create_item(session, ["lin.one_step"], answer="5", difficulty=b) for b in (-1.0, 0.0, 1.0)]
    for b in (-1.0, 0.0, 1.0):
        await create_item(session, ["lin.two_step"], answer="5", difficulty=b)
    learner = world.students[0]
    two_weeks_ago = datetime.now(UTC) - timedelta(days=14)
    await session.execute(
        insert(Mastery).values(
            learner_id=learner.id,
            kp_code="lin.one_step",
            p_known=0.99,
            n_observations=20,
            updated_at=two_weeks_ago,
        )
    )
    await session.commit()
    headers = auth_headers(settings, learner)

    shown = (await client.get("/v1/me/mastery", headers=headers)).json()[0]
    assert shown["p_known_at_last_practice"] == 0.99
    assert 0.75 < shown["p_known"] < 0.8
    assert shown["mastered"] is False
    assert shown["mastery_check_due"] is True

    body = (await client.get("/v1/me/next-exercise", headers=headers)).json()
    assert body["reason"]["code"] == "mastery_check"
    assert body["reason"]["knowledge_point"] == "lin.one_step"
    assert body["item"]["id"] in {str(i.id) for i in one}

    answered = await client.post(
        "/v1/attempts", json={"item_id": body["item"]["id"], "answer": "5"}, headers=headers
    )
    change = answered.json()["mastery"][0]
    assert (
        change["p_known_before"] == shown["p_known"]
        or abs(change["p_known_before"] - shown["p_known"]) < 1e-3
    )
    assert change["p_known"] > 0.9
    again = (await client.get("/v1/me/mastery", headers=headers)).json()[0]
    assert again["mastery_check_due"] is False
