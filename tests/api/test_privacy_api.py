"""Consent, erasure and access requests through the HTTP API."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.audit import kinds
from tutor.db.models import Attempt, User
from tutor.db.models.audit import AuditEvent
from tutor.settings import Settings

Client = AsyncTestClient[Any]
CONSENT = {
    "purpose": "model_training",
    "guardian_relation": "parent",
    "evidence_ref": "form 2026-031",
    "retention_days": 365,
}


async def test_teacher_records_lists_and_revokes_consent(
    client: Client, session: AsyncSession, world: World, settings: Settings
) -> None:
    kid = world.students[0]
    teacher = auth_headers(settings, world.teacher)
    url = f"/v1/learners/{kid.id}/consents"
    granted = await client.post(url, json=CONSENT, headers=teacher)
    assert granted.status_code == 201, granted.text
    body = granted.json()
    assert body["active"] is True and body["granted_by"] == str(world.teacher.id)
    listed = await client.get(url, headers=auth_headers(settings, kid))
    assert sorted(c["purpose"] for c in listed.json()) == ["analytics", "model_training", "tutoring"]
    assert (await client.get(url, headers=teacher)).status_code == 200
    reads = (
        await session.scalars(select(AuditEvent).where(AuditEvent.kind == kinds.LEARNER_DATA_READ))
    ).all()
    assert [(e.actor_id, e.actor_role, e.payload) for e in reads] == [(None, "teacher", {"what": "consents"})]
    revoked = await client.delete(f"{url}/model_training", headers=teacher)
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    again = await client.delete(f"{url}/model_training", headers=teacher)
    assert again.status_code == 404 and "no active consent" in again.json()["detail"]


async def test_consent_is_refused_to_the_wrong_people_and_bad_input(
    client: Client, world: World, settings: Settings
) -> None:
    url = f"/v1/learners/{world.students[0].id}/consents"
    other_teacher = await client.post(url, json=CONSENT, headers=auth_headers(settings, world.other_teacher))
    assert other_teacher.status_code == 403
    student = await client.post(url, json=CONSENT, headers=auth_headers(settings, world.students[0]))
    assert student.status_code == 403
    outsider = await client.post(url, json=CONSENT, headers=auth_headers(settings, world.outsider_admin))
    assert outsider.status_code == 404
    bad = await client.post(
        url, json={**CONSENT, "purpose": "marketing"}, headers=auth_headers(settings, world.admin)
    )
    assert bad.status_code in (400, 422) and "purpose" in bad.text
    too_long = await client.post(
        url, json={**CONSENT, "evidence_ref": "x" * 500}, headers=auth_headers(settings, world.admin)
    )
    assert too_long.status_code in (400, 422)


async def test_admin_erases_a_learner(
    client: Client, session: AsyncSession, world: World, settings: Settings
) -> None:
    kid = world.students[0]
    await create_kp(session, "lin.one_step")
    item = await create_item(session, ["lin.one_step"])
    session.add(Attempt(learner_id=kid.id, item_id=item.id, submitted_answer="5", is_correct=True))
    await session.commit()
    await client.post(
        f"/v1/learners/{kid.id}/consents", json=CONSENT, headers=auth_headers(settings, world.admin)
    )

    assert (
        await client.delete(f"/v1/learners/{kid.id}", headers=auth_headers(settings, world.teacher))
    ).status_code == 403
    outsider = await client.delete(
        f"/v1/learners/{kid.id}", headers=auth_headers(settings, world.outsider_admin)
    )
    assert outsider.status_code == 404

    erased = await client.delete(f"/v1/learners/{kid.id}", headers=auth_headers(settings, world.admin))
    assert erased.status_code == 200, erased.text
    report = erased.json()
    assert report["deleted"]["users"] == 1 and report["deleted"]["attempts"] == 1
    assert (
        report["deleted"]["learner_consents"] == 3
    )  # tutoring + analytics from the factory, + the one granted here
    session.expunge_all()
    assert await session.get(User, kid.id) is None
    assert await session.scalar(select(Attempt).where(Attempt.learner_id == kid.id)) is None
    gone = await client.delete(f"/v1/learners/{kid.id}", headers=auth_headers(settings, world.admin))
    assert gone.status_code == 404
    verify = await client.get("/v1/audit/verify", headers=auth_headers(settings, world.admin))
    assert verify.json()["ok"] is True


async def test_learner_downloads_their_own_data_only(
    client: Client, world: World, settings: Settings
) -> None:
    kid, classmate = world.students
    mine = await client.get(f"/v1/learners/{kid.id}/export", headers=auth_headers(settings, kid))
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["learner"]["username"] == kid.username and "password_hash" not in body["learner"]
    assert body["tables"]["enrolments"][0]["class_id"] == str(world.school_class.id)
    theirs = await client.get(f"/v1/learners/{classmate.id}/export", headers=auth_headers(settings, kid))
    assert theirs.status_code == 403
    by_admin = await client.get(f"/v1/learners/{kid.id}/export", headers=auth_headers(settings, world.admin))
    assert by_admin.status_code == 200
    by_teacher = await client.get(
        f"/v1/learners/{kid.id}/export", headers=auth_headers(settings, world.teacher)
    )
    assert by_teacher.status_code == 403
