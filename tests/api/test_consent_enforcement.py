"""Guardian consent gates processing: no tutoring consent, no attempts or model help; no analytics
consent, the learner is left out of class analytics. Reading one's own stored data stays possible."""

from __future__ import annotations

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp, create_user
from tutor.db.models import Attempt, Enrolment
from tutor.settings import Settings


async def test_student_without_tutoring_consent_is_refused_with_a_clear_403(
    client: AsyncTestClient,
    world: World,
    session: AsyncSession,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    await create_kp(session, "lin.one_step")
    item = await create_item(session, ["lin.one_step"], answer="4", stem_latex="x + 3 = 7")
    kid = await create_user(session, world.school, "student", consents=())
    headers = auth_headers(settings, kid)

    refused = await client.post(
        "/v1/attempts", json={"item_id": str(item.id), "answer": "4"}, headers=headers
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "consent_required" and refused.json()["purpose"] == "tutoring"
    assert "consent" in refused.json()["detail"]
    assert await session.scalar(select(func.count()).select_from(Attempt)) == 0

    assert (await client.get("/v1/me/next-exercise", headers=headers)).status_code == 403
    assert (await client.post("/v1/solve", json={"problem": "2x = 4"}, headers=headers)).status_code == 403
    assert (await client.get("/v1/me/mastery", headers=headers)).status_code == 200

    teacher = await client.post(
        "/v1/solve", json={"problem": "2x = 4"}, headers=auth_headers(settings, world.teacher)
    )
    assert teacher.status_code == 200


async def test_class_analytics_leave_out_learners_without_analytics_consent(
    client: AsyncTestClient,
    world: World,
    session: AsyncSession,
    settings: Settings,  # type: ignore[type-arg]
) -> None:
    await create_kp(session, "lin.one_step")
    private = await create_user(session, world.school, "student", consents=("tutoring",))
    session.add(Enrolment(class_id=world.school_class.id, learner_id=private.id))
    await session.commit()
    response = await client.get(
        f"/v1/classes/{world.school_class.id}/analytics/mastery",
        headers=auth_headers(settings, world.teacher),
    )
    assert response.status_code == 200
    shown = {row["learner_id"] for row in response.json()["learners"]}
    assert shown == {str(s.id) for s in world.students}
