"""Consent and erasure reach every aggregate; the access export holds every row about the learner;
retention covers the wrong-answer book and honours per-consent periods (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import (
    World,
    auth_headers,
    create_class,
    create_dialogue,
    create_item,
    create_kp,
    create_user,
)
from tutor.db.models import Attempt, LearnerConsent, Recognition, WrongAnswerEntry
from tutor.privacy.config import PrivacySettings
from tutor.privacy.retention import run_retention
from tutor.settings import Settings

PRIVATE = "我叫李华，住在花园路12号 my name is Li Hua"


async def _class_answering_wrong(
    session: AsyncSession, world: World, client: AsyncTestClient[Litestar], settings: Settings
):  # type: ignore[no-untyped-def]
    """One learner without analytics consent writes personal text as a wrong answer; one with consent errs too."""
    await create_kp(session, "lin.two_step")
    item = await create_item(session, ["lin.two_step"], answer="5")
    private = await create_user(session, world.school, "student", consents=("tutoring",))
    consenting = await create_user(session, world.school, "student")
    school_class = await create_class(session, world.teacher, [private, consenting])
    for learner, answer in ((private, PRIVATE), (consenting, "x = 4")):
        answered = await client.post(
            "/v1/attempts",
            json={"item_id": str(item.id), "answer": answer},
            headers=auth_headers(settings, learner),
        )
        assert answered.status_code == 201, answered.text
    return school_class, private


async def test_no_teacher_view_shows_free_text_of_a_learner_without_analytics_consent(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    school_class, _ = await _class_answering_wrong(session, world, client, settings)
    teacher = auth_headers(settings, world.teacher)
    weak = await client.get(f"/v1/classes/{school_class.id}/analytics/weak-points", headers=teacher)
    assert weak.status_code == 200
    assert [a["answer"] for p in weak.json()["points"] for a in p["common_wrong_answers"]] == ["x = 4"]
    for view in ("mastery", "alerts", "progress"):
        response = await client.get(f"/v1/classes/{school_class.id}/analytics/{view}", headers=teacher)
        assert PRIVATE not in response.text


async def test_erasure_removes_the_learners_wrong_answers_from_every_aggregate(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    _, private = await _class_answering_wrong(session, world, client, settings)
    exported = await client.get(f"/v1/learners/{private.id}/export", headers=auth_headers(settings, private))
    assert PRIVATE in exported.text
    erased = await client.delete(f"/v1/learners/{private.id}", headers=auth_headers(settings, world.admin))
    assert erased.status_code == 200
    dump = await session.execute(
        text(
            "SELECT count(*) FROM (SELECT row_to_json(t)::text AS j FROM class_wrong_answer_tallies t) x "
            "WHERE j LIKE :needle"
        ),
        {"needle": "%李华%"},
    )
    assert dump.scalar_one() == 0


async def test_the_access_export_holds_dialogue_turns_and_recognitions(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    kid = world.students[0]
    await create_dialogue(session, kid, ("student", "老师，我不会做这道题"), ("tutor", "先把 3 移到右边。"))
    session.add(
        Recognition(
            learner_id=kid.id,
            kind="handwriting",
            engine="pix2tex",
            recognized_text="2x+3=7",
            confidence=0.9,
            parseable=True,
        )
    )
    await session.commit()
    exported = await client.get(f"/v1/learners/{kid.id}/export", headers=auth_headers(settings, kid))
    assert exported.status_code == 200
    tables = exported.json()["tables"]
    assert [t["text"] for t in tables["dialogue_turns"]] == ["老师，我不会做这道题", "先把 3 移到右边。"]
    assert [r["recognized_text"] for r in tables["recognitions"]] == ["2x+3=7"]
    assert {"dialogues", "learner_consents", "enrolments"} <= set(tables)
    classmate = await client.get(
        f"/v1/learners/{world.students[1].id}/export", headers=auth_headers(settings, world.students[1])
    )
    assert "dialogue_turns" not in classmate.json()["tables"]


async def test_retention_purges_the_wrong_answer_book_and_honours_consent_periods(
    world: World, session: AsyncSession
) -> None:
    await create_kp(session, "lin.two_step")
    item = await create_item(session, ["lin.two_step"])
    now = datetime.now(UTC)
    short, normal = world.students[0], world.students[1]
    consent = await session.scalar(
        select(LearnerConsent).where(
            LearnerConsent.learner_id == short.id, LearnerConsent.purpose == "tutoring"
        )
    )
    assert consent is not None
    consent.retention_days = 30
    old, recent = now - timedelta(days=40), now - timedelta(days=10)
    for learner in (short, normal):
        for at in (old, recent):
            session.add(
                Attempt(
                    learner_id=learner.id,
                    item_id=item.id,
                    submitted_answer="4",
                    is_correct=False,
                    created_at=at,
                )
            )
    session.add(
        WrongAnswerEntry(
            learner_id=normal.id,
            item_id=item.id,
            last_wrong_answer="4",
            wrong_count=1,
            stage=0,
            first_wrong_at=now - timedelta(days=900),
            last_attempt_at=now - timedelta(days=800),
            due_at=now - timedelta(days=799),
        )
    )
    await session.commit()
    async with session.begin():
        report = await run_retention(session, PrivacySettings.from_env({}), dry_run=False)
    assert not any(i.note == "no age column" for i in report.items)
    book = next(i for i in report.items if i.table == "wrong_answer_book")
    assert book.rows == 1
    remaining = dict(
        (await session.execute(select(Attempt.learner_id, func.count()).group_by(Attempt.learner_id)))
        .tuples()
        .all()
    )
    assert remaining == {short.id: 1, normal.id: 2}  # the 30-day consent removed one; the default keeps both
    assert any(
        i.table == "attempts" and i.note == "tutoring consent period" and i.rows == 1 for i in report.items
    )
