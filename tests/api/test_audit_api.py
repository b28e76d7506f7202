"""``/v1/audit``: who may export what, in which format, and that verify reports tampering."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers
from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.db.models import User
from tutor.db.models.audit import AuditEvent
from tutor.settings import Settings

Client = AsyncTestClient[Any]


async def learning_events(session: AsyncSession, world: World) -> None:
    """One answer per learner of both classes, one hint in school A, one event in school B."""
    for learner in [*world.students, *world.other_students]:
        await record_event(
            session, kind=kinds.ATTEMPT_RECORDED, actor_id=learner.id, actor_role="student",
            learner_id=learner.id, school_id=learner.school_id,
            payload={"item_id": "item-1", "is_correct": True},
        )  # fmt: skip
    await record_event(
        session, kind=kinds.MODEL_OUTPUT_HINT, actor_id=None, actor_role="service",
        learner_id=world.students[0].id, school_id=world.school.id,
        payload={"model": "belle-tiny", "adapter": "math-lora@3", "text": "先移项"},
    )  # fmt: skip
    await record_event(
        session, kind=kinds.ATTEMPT_RECORDED, actor_id=world.outsider_student.id, actor_role="student",
        learner_id=world.outsider_student.id, school_id=world.other_school.id, payload={"item_id": "item-9"},
    )  # fmt: skip
    await session.commit()


def lines(body: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.splitlines()]


async def test_admin_exports_their_school_as_json_lines(
    client: Client, session: AsyncSession, world: World, settings: Settings
) -> None:
    await learning_events(session, world)
    response = await client.get("/v1/audit/export", headers=auth_headers(settings, world.admin))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert "attachment" in response.headers["content-disposition"]
    events = [e for e in lines(response.text) if e["kind"] != kinds.EXPORT]
    assert len(events) == 5 and {e["school_id"] for e in events} == {str(world.school.id)}
    hint = next(e for e in events if e["kind"] == kinds.MODEL_OUTPUT_HINT)
    assert hint["payload"]["adapter"] == "math-lora@3"
    for learner in world.students:
        assert str(learner.id) not in response.text and learner.display_name not in response.text


async def test_export_is_itself_audited(
    client: Client, session: AsyncSession, world: World, settings: Settings
) -> None:
    response = await client.get(
        "/v1/audit/export", params={"format": "csv", "kind": kinds.ATTEMPT_RECORDED},
        headers=auth_headers(settings, world.admin),
    )  # fmt: skip
    assert response.status_code == 200
    export = await session.scalar(select(AuditEvent).where(AuditEvent.kind == kinds.EXPORT))
    assert export is not None
    assert export.actor_id is None and export.actor_role == "admin"  # staff: by role and pseudonym
    assert export.actor_ref is not None and export.actor_ref.startswith("stf_")
    assert export.payload["format"] == "csv" and export.payload["kinds"] == [kinds.ATTEMPT_RECORDED]


async def test_teacher_exports_only_their_own_class(
    client: Client, session: AsyncSession, world: World, settings: Settings
) -> None:
    await learning_events(session, world)
    headers = auth_headers(settings, world.teacher)
    missing_class = await client.get("/v1/audit/export", headers=headers)
    assert missing_class.status_code == 403
    assert "class_id" in missing_class.json()["detail"]
    foreign = await client.get(
        "/v1/audit/export", params={"class_id": str(world.other_class.id)}, headers=headers
    )
    assert foreign.status_code == 403
    own = await client.get(
        "/v1/audit/export", params={"class_id": str(world.school_class.id), "format": "csv"}, headers=headers
    )
    assert own.status_code == 200
    rows = list(csv.DictReader(io.StringIO(own.text)))
    assert len(rows) == 3  # two answers and the hint, all about learners of this class
    assert all(row["learner_ref"].startswith("lrn_") for row in rows)


async def test_bad_export_requests_get_clear_4xx(client: Client, world: World, settings: Settings) -> None:
    headers = auth_headers(settings, world.admin)
    backwards = await client.get(
        "/v1/audit/export",
        params={"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        headers=headers,
    )
    assert backwards.status_code == 422 and "later than" in backwards.json()["detail"]
    bad_kind = await client.get("/v1/audit/export", params={"kind": "DROP TABLE"}, headers=headers)
    assert bad_kind.status_code == 422
    bad_format = await client.get("/v1/audit/export", params={"format": "xml"}, headers=headers)
    assert 400 <= bad_format.status_code < 500
    student = await client.get("/v1/audit/export", headers=auth_headers(settings, world.students[0]))
    assert student.status_code == 403
    assert (await client.get("/v1/audit/export")).status_code == 401


async def test_time_window_filters_events(
    client: Client, session: AsyncSession, world: World, settings: Settings
) -> None:
    await learning_events(session, world)
    first = await session.scalar(select(AuditEvent).order_by(AuditEvent.seq).limit(1))
    assert first is not None
    response = await client.get(
        "/v1/audit/export",
        params={"from": first.occurred_at.isoformat(), "to": first.occurred_at.replace(year=2100).isoformat(),
                "kind": kinds.MODEL_OUTPUT_HINT},
        headers=auth_headers(settings, world.admin),
    )  # fmt: skip
    assert [e["kind"] for e in lines(response.text)] == [kinds.MODEL_OUTPUT_HINT]
    empty = await client.get(
        "/v1/audit/export",
        params={"to": first.occurred_at.isoformat()},
        headers=auth_headers(settings, world.admin),
    )
    assert empty.status_code == 200 and empty.text == ""


async def test_verify_reports_ok_then_the_tampered_event(
    client: Client, session: AsyncSession, world: World, settings: Settings
) -> None:
    await learning_events(session, world)
    headers = auth_headers(settings, world.admin)
    ok = await client.get("/v1/audit/verify", headers=headers)
    assert ok.status_code == 200 and ok.json()["ok"] is True and ok.json()["checked"] == 5  # school A's
    await session.execute(text("SET LOCAL session_replication_role = replica"))
    await session.execute(text('UPDATE audit_events SET payload = \'{"text": "edited"}\' WHERE seq = 5'))
    await session.commit()
    broken = (await client.get("/v1/audit/verify", headers=headers)).json()
    assert broken["ok"] is False and broken["broken"]["seq"] == 5 and "edited" in broken["broken"]["reason"]
    later = (await client.get("/v1/audit/verify", params={"from": 6}, headers=headers)).json()
    assert later["ok"] is True
    past_the_end = (await client.get("/v1/audit/verify", params={"from": 99}, headers=headers)).json()
    assert past_the_end["ok"] is True and past_the_end["checked"] == 0  # nothing to check is not tampering
    assert (
        await client.get("/v1/audit/verify", headers=auth_headers(settings, world.teacher))
    ).status_code == 403


async def test_learner_names_never_reach_the_audit_table(session: AsyncSession, world: World) -> None:
    await learning_events(session, world)
    names = [u.display_name for u in (await session.scalars(select(User))).all()]
    dump = await session.scalar(text("SELECT string_agg(t::text, '\n') FROM audit_events AS t"))
    assert dump is not None and not any(name in dump for name in names)


async def test_verify_shows_a_school_admin_only_their_schools_events(
    client: Client, session: AsyncSession, world: World, settings: Settings
) -> None:
    await learning_events(session, world)
    mine = (await client.get("/v1/audit/verify", headers=auth_headers(settings, world.admin))).json()
    theirs = (
        await client.get("/v1/audit/verify", headers=auth_headers(settings, world.outsider_admin))
    ).json()
    assert (mine["checked"], theirs["checked"]) == (5, 1)
    assert theirs["first_seq"] == theirs["last_seq"] == 6
    own_last = await session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == 6))
    assert theirs["last_hash"] == own_last and mine["last_hash"] != own_last
    await session.execute(text("SET LOCAL session_replication_role = replica"))
    await session.execute(text("UPDATE audit_events SET payload = '{\"x\": 1}' WHERE seq = 2"))
    await session.commit()
    other = (
        await client.get("/v1/audit/verify", headers=auth_headers(settings, world.outsider_admin))
    ).json()
    assert (
        other["ok"] is False
        and other["broken"]["seq"] is None
        and "not your school" in other["broken"]["reason"]
    )
    assert other["broken"]["expected"] is None and other["broken"]["found"] is None


async def test_staff_appear_by_role_and_pseudonym_and_their_admin_can_resolve_it(
    client: Client, session: AsyncSession, world: World, settings: Settings
) -> None:
    url = f"/v1/learners/{world.students[0].id}/consents"
    assert (await client.get(url, headers=auth_headers(settings, world.teacher))).status_code == 200
    read = await session.scalar(select(AuditEvent).where(AuditEvent.kind == kinds.LEARNER_DATA_READ))
    assert read is not None and read.actor_id is None and read.actor_role == "teacher"
    assert read.actor_ref is not None and read.actor_ref.startswith("stf_")
    dump = await session.scalar(text("SELECT string_agg(t::text, '\n') FROM audit_events AS t"))
    assert dump is not None and str(world.teacher.id) not in dump
    who = await client.get(f"/v1/audit/actors/{read.actor_ref}", headers=auth_headers(settings, world.admin))
    assert who.status_code == 200 and who.json()["user_id"] == str(world.teacher.id)
    elsewhere = await client.get(
        f"/v1/audit/actors/{read.actor_ref}", headers=auth_headers(settings, world.outsider_admin)
    )
    assert elsewhere.status_code == 404
    learner_ref = read.learner_ref
    assert (
        await client.get(f"/v1/audit/actors/{learner_ref}", headers=auth_headers(settings, world.admin))
    ).status_code == 404
