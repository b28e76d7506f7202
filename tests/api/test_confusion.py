"""Confusion per attempt, recorded in the attempt's transaction and shown to the learner's teachers only
with analytics consent."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import (
    auth_headers,
    create_class,
    create_dialogue,
    create_item,
    create_kp,
    create_school,
    create_user,
)
from tests.fixtures.recognition import make_settings
from tutor.app import create_app
from tutor.db.models import ConfusionRecord, Dialogue


async def test_repeated_wrong_answers_and_help_raise_confusion_for_the_teacher(
    db_url: str, session: AsyncSession, tmp_path: Path
) -> None:
    settings = make_settings(db_url, tmp_path / "data")
    school = await create_school(session)
    learner = await create_user(session, school, "student")
    teacher = await create_user(session, school, "teacher")
    other_teacher = await create_user(session, school, "teacher")
    await create_class(session, teacher, [learner])
    await create_kp(session, "lin.two_step")
    item = await create_item(session, ["lin.two_step"], answer="5")
    dialogue_id = await create_dialogue(session, learner, ("student", "我不会"), ("tutor", "先移项"))
    dialogue = await session.get(Dialogue, dialogue_id)
    assert dialogue is not None
    dialogue.item_id = item.id  # the learner asked for help on this item
    await session.commit()

    async with AsyncTestClient(app=create_app(settings)) as client:
        student = auth_headers(settings, learner)
        for answer in ("3", "4", "6", "5"):
            response = await client.post(
                "/v1/attempts", json={"item_id": str(item.id), "answer": answer}, headers=student
            )
            assert response.status_code == 201, response.text
        seen = await client.get(
            f"/v1/learners/{learner.id}/confusion", headers=auth_headers(settings, teacher)
        )
        assert seen.status_code == 200, seen.text
        body = seen.json()
        assert body["heuristic"].startswith("heuristic") and body["learner_id"] == str(learner.id)
        newest_first = body["records"]
        assert [r["source"] for r in newest_first] == ["attempt"] * 4
        scores = [r["score"] for r in reversed(newest_first)]
        assert scores[0] < scores[1] < scores[2]  # wrong, wrong again, wrong a third time
        third = {s["name"]: s for s in newest_first[1]["signals"]}
        assert third["repeated_wrong"]["value"] == 3 and third["repeated_wrong"]["strength"] == 1.0
        assert third["help_requests"]["value"] == 1
        assert "slow_answer" in third  # answered seconds after the previous attempt
        assert newest_first[1]["level"] == "high"

        assert (await client.get(f"/v1/learners/{learner.id}/confusion", headers=student)).status_code == 403
        outsider = await client.get(
            f"/v1/learners/{learner.id}/confusion", headers=auth_headers(settings, other_teacher)
        )
        assert outsider.status_code == 403


async def test_without_analytics_consent_nothing_is_kept_or_shown(
    db_url: str, session: AsyncSession, tmp_path: Path
) -> None:
    settings = make_settings(db_url, tmp_path / "data")
    school = await create_school(session)
    learner = await create_user(session, school, "student", consents=("tutoring",))
    teacher = await create_user(session, school, "teacher")
    await create_class(session, teacher, [learner])
    await create_kp(session, "lin.two_step")
    item = await create_item(session, ["lin.two_step"], answer="5")
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.post(
            "/v1/attempts",
            json={"item_id": str(item.id), "answer": "4"},
            headers=auth_headers(settings, learner),
        )
        assert response.status_code == 201, response.text
        refused = await client.get(
            f"/v1/learners/{learner.id}/confusion", headers=auth_headers(settings, teacher)
        )
        assert refused.status_code == 403 and refused.json()["code"] == "consent_required"
    assert await session.scalar(select(func.count()).select_from(ConfusionRecord)) == 0
