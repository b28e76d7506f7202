"""Ability and prerequisite evidence in the attempt transaction, on PostgreSQL."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.db.models import Mastery
from tutor.db.models.learning import LearnerAbility
from tutor.settings import Settings


async def test_ability_rises_for_a_strong_learner_and_prerequisites_get_a_little_evidence(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
) -> None:
    await create_kp(session, "lin.one_step")
    await create_kp(session, "lin.two_step", requires=["lin.one_step"])
    basics = await create_item(session, ["lin.one_step"], answer="5")
    items = [await create_item(session, ["lin.two_step"], answer="5", difficulty=1.5) for _ in range(6)]
    strong, weak = world.students[0], world.students[1]
    for learner in (strong, weak):
        await session.execute(
            insert(Mastery).values(
                learner_id=learner.id, kp_code="lin.one_step", p_known=0.6, n_observations=3
            )
        )
    await session.commit()
    for learner, answer in ((strong, "5"), (weak, "9")):
        headers = auth_headers(settings, learner)
        for item in items:
            response = await client.post(
                "/v1/attempts", json={"item_id": str(item.id), "answer": answer}, headers=headers
            )
            assert response.status_code == 201, response.text
    up = await session.get(LearnerAbility, strong.id, populate_existing=True)
    down = await session.get(LearnerAbility, weak.id, populate_existing=True)
    assert up is not None and down is not None
    assert up.n_answers == 6 and down.n_answers == 6
    assert up.theta > 0.3 > -0.3 > down.theta
    # six answers on lin.two_step moved lin.one_step a little, each in its own direction
    strong_pre = await session.get(Mastery, (strong.id, "lin.one_step"), populate_existing=True)
    weak_pre = await session.get(Mastery, (weak.id, "lin.one_step"), populate_existing=True)
    assert strong_pre is not None and weak_pre is not None
    assert 0.6 < strong_pre.p_known < 0.85
    assert 0.35 < weak_pre.p_known < 0.6
    assert strong_pre.n_observations == 3  # evidence, not an answer on the point

    # the next exercise predicts more success for the stronger learner on the same item
    preds = []
    for learner in (strong, weak):
        await session.execute(
            insert(Mastery)
            .values(learner_id=learner.id, kp_code="lin.one_step", p_known=0.5, n_observations=3)
            .on_conflict_do_update(index_elements=["learner_id", "kp_code"], set_={"p_known": 0.5})
        )
        await session.commit()
        body = (await client.get("/v1/me/next-exercise", headers=auth_headers(settings, learner))).json()
        assert body["item"]["id"] == str(basics.id) or body["reason"]["knowledge_point"] == "lin.one_step"
        preds.append(body["reason"]["predicted_p_correct"])
    assert preds[0] > preds[1]
