"""Every AI-generated content and every change to it is in the audit log, with its input, output,
provenance and verdict; teachers review generated content through a queue (issue 13)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm.testing import ScriptedEngine
from tests.factories import (
    World,
    auth_headers,
    create_dialogue,
    create_item,
    create_kp,
    create_school,
    create_user,
)
from tests.fixtures.media import pad_drawing
from tests.fixtures.recognition import make_settings, recognition_client, shared_runtime
from tutor.audit import kinds
from tutor.audit.ai_content import sha256
from tutor.db.models import AuditEvent, Item
from tutor.settings import Settings
from tutor.tutoring.engine import ENGINE_KEY


async def _events(session: AsyncSession, kind: str) -> list[AuditEvent]:
    session.expire_all()
    return list(
        await session.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.seq))
    )


async def test_solver_solutions_and_model_hints_record_their_input(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    student = auth_headers(settings, world.students[0])
    solved = await client.post("/v1/solve", json={"problem": "2x + 3 = 7"}, headers=student)
    assert solved.status_code == 200
    [event] = await _events(session, kinds.SOLVER_OUTPUT_SOLUTION)
    assert event.payload["input"]["text"] == "2x + 3 = 7"
    assert event.payload["output"]["answer"] == solved.json()["answer"]
    assert len(event.payload["output"]["steps"]) == len(solved.json()["steps"])
    assert event.payload["verdict"]["checked"] is True and event.learner_ref is not None

    client.app.state[ENGINE_KEY] = ScriptedEngine(["What could you subtract first?"])
    work = "我算到 2x = 4 了"
    hint = await client.post("/v1/hints", json={"problem": "2x + 3 = 7", "work": work}, headers=student)
    assert hint.status_code == 201, hint.text
    [hint_event] = await _events(session, kinds.MODEL_OUTPUT_HINT)
    assert hint_event.payload["input"]["problem"] == "2x + 3 = 7"
    assert hint_event.payload["input"]["work_sha256"] == sha256(work)
    assert work not in str(hint_event.payload)  # the learner's own words are never in the audit log
    assert {"model", "adapter", "template", "params", "verdict", "output"} <= set(hint_event.payload)


async def test_recognitions_and_learner_corrections_are_audited_without_their_text(
    db_url: str, session: AsyncSession, tmp_path: Path
) -> None:
    settings = make_settings(db_url, tmp_path / "data")
    school = await create_school(session)
    learner = await create_user(session, school, "student")
    await create_kp(session, "lin.two_step")
    item = await create_item(session, ["lin.two_step"], answer="5")
    async with recognition_client(settings, shared_runtime()) as client:
        headers = auth_headers(settings, learner)
        recognised = await client.post(
            "/v1/recognize/formula", files={"file": ("p.png", pad_drawing(), "image/png")}, headers=headers
        )
        assert recognised.status_code == 201
        rec = recognised.json()
        attempt = await client.post(
            "/v1/attempts",
            json={"item_id": str(item.id), "answer": "5", "recognition_id": rec["id"]},
            headers=headers,
        )
        assert attempt.status_code == 201
    [read] = await _events(session, kinds.MODEL_OUTPUT_RECOGNITION)
    assert read.payload["engine"] == "pix2tex" and read.payload["recognition_id"] == rec["id"]
    assert read.payload["output"]["sha256"] == sha256(rec["text"]) and "text" not in read.payload["output"]
    [corrected] = await _events(session, kinds.RECOGNITION_CORRECTED)
    assert corrected.payload["after_sha256"] == sha256("5")
    assert corrected.payload["edited"] is attempt.json()["recognition_edited"]


async def _generate(client: AsyncTestClient[Litestar], headers: Any, count: int = 3) -> list[dict[str, Any]]:
    made = await client.post(
        "/v1/exercises/generate", json={"knowledge_point": "lin.two_step", "count": count}, headers=headers
    )
    assert made.status_code == 201, made.text
    return made.json()["items"]  # type: ignore[no-any-return]


async def test_teachers_review_generated_items_approve_reject_and_edit_with_the_engine_checking(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    await create_kp(session, "lin.two_step")
    teacher = auth_headers(settings, world.teacher)
    outsider_admin, student = (
        auth_headers(settings, world.outsider_admin),
        auth_headers(settings, world.students[0]),
    )
    first, second, third = await _generate(client, teacher)
    [made] = await _events(session, kinds.TEMPLATE_OUTPUT_EXERCISE)
    assert made.payload["input"]["knowledge_point"] == "lin.two_step"
    assert [o["item_id"] for o in made.payload["output"]] == [first["id"], second["id"], third["id"]]
    assert made.actor_role == "teacher" and made.actor_ref is not None and made.actor_id is None

    queue = await client.get("/v1/review/queue", headers=teacher)
    assert queue.status_code == 200
    assert {e["id"] for e in queue.json() if e["kind"] == "item"} == {first["id"], second["id"], third["id"]}
    outsider = await client.get("/v1/review/queue", headers=outsider_admin)
    assert outsider.json() == []
    assert (await client.get("/v1/review/queue", headers=student)).status_code == 403

    approved = await client.post(f"/v1/review/items/{first['id']}/approve", headers=teacher)
    assert approved.status_code == 200 and approved.json()["review_status"] == "approved"
    rejected = await client.post(
        f"/v1/review/items/{second['id']}/reject", json={"note": "too easy"}, headers=teacher
    )
    assert rejected.json() == {**rejected.json(), "review_status": "rejected", "served_to_learners": False}
    wrong = await client.post(
        f"/v1/review/items/{third['id']}/edit", json={"answer": "x = 12345"}, headers=teacher
    )
    assert wrong.status_code == 409 and wrong.json()["code"] == "answer_does_not_check"
    stem = third["stem_latex"]
    good = await client.post(
        f"/v1/review/items/{third['id']}/edit",
        json={"answer": third["answer"], "stem_latex": stem},
        headers=teacher,
    )
    assert good.status_code == 200 and good.json()["review_status"] == "approved"
    assert (await client.get("/v1/review/queue", headers=teacher)).json() == []
    stored = await session.get(Item, second["id"])
    assert stored is not None and stored.verified is False  # a rejected item is never served
    actions = [e.payload["action"] for e in await _events(session, kinds.AI_CONTENT_APPROVED)]
    actions += [e.payload["action"] for e in await _events(session, kinds.AI_CONTENT_REJECTED)]
    [edit] = await _events(session, kinds.AI_CONTENT_EDITED)
    assert sorted(actions) == ["approved", "rejected"]
    assert (
        edit.payload["before"]["review_status"] == "pending"
        and edit.payload["after"]["review_status"] == "approved"
    )


async def test_a_service_keys_items_are_served_only_after_a_teacher_approves(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    await create_kp(session, "lin.two_step")
    key = await client.post(
        "/v1/service-keys", json={"name": "bank"}, headers=auth_headers(settings, world.admin)
    )
    [item] = await _generate(client, {"X-API-Key": key.json()["api_key"]}, count=1)
    assert item["verified"] is False
    approved = await client.post(
        f"/v1/review/items/{item['id']}/approve", headers=auth_headers(settings, world.teacher)
    )
    assert approved.json()["served_to_learners"] is True


async def test_tutor_turns_are_reviewed_by_the_learners_teachers_only(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    dialogue_id = await create_dialogue(
        session, world.students[0], ("student", "help"), ("tutor", "Subtract 3.")
    )
    teacher, other = auth_headers(settings, world.teacher), auth_headers(settings, world.other_teacher)
    turns = [
        e
        for e in (await client.get("/v1/review/queue", headers=teacher)).json()
        if e["kind"] == "dialogue_turn"
    ]
    assert [t["id"] for t in turns] == [f"{dialogue_id}/2"] and turns[0]["text"] == "Subtract 3."
    assert [
        e
        for e in (await client.get("/v1/review/queue", headers=other)).json()
        if e["kind"] == "dialogue_turn"
    ] == []
    refused = await client.post(f"/v1/review/dialogue-turns/{dialogue_id}/2/reject", headers=other)
    assert refused.status_code == 403
    rejected = await client.post(
        f"/v1/review/dialogue-turns/{dialogue_id}/2/reject", json={"note": "off topic"}, headers=teacher
    )
    assert rejected.status_code == 200
    assert [
        e
        for e in (await client.get("/v1/review/queue", headers=teacher)).json()
        if e["kind"] == "dialogue_turn"
    ] == []
    [event] = await _events(session, kinds.AI_CONTENT_REJECTED)
    assert event.payload["content_id"] == f"{dialogue_id}/2" and event.learner_ref is not None
