"""A teacher cannot take over another teacher's learners by enrolling them (issue 13)."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_class
from tutor.audit import kinds
from tutor.db.models import AuditEvent, Enrolment
from tutor.settings import Settings


async def test_a_teacher_cannot_enrol_another_teachers_learner_then_read_or_change_them(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    thief = auth_headers(settings, world.teacher)
    theirs = world.other_students[0]  # in other_teacher's class
    taken = await client.post(
        f"/v1/classes/{world.school_class.id}/learners", json={"learner_ids": [str(theirs.id)]}, headers=thief
    )
    assert taken.status_code == 403, taken.text
    assert taken.json()["refused"] == [str(theirs.id)]
    assert (await client.get(f"/v1/dialogues?learner_id={theirs.id}", headers=thief)).status_code == 403
    consent = await client.post(
        f"/v1/learners/{theirs.id}/consents",
        json={"purpose": "model_training", "guardian_relation": "parent"},
        headers=thief,
    )
    assert consent.status_code == 403
    rows = await session.scalars(select(Enrolment.class_id).where(Enrolment.learner_id == theirs.id))
    assert list(rows) == [world.other_class.id]


async def test_teachers_enrol_learners_they_created_or_were_assigned_and_admins_assign(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    teacher = auth_headers(settings, world.teacher)
    created = await client.post(
        f"/v1/classes/{world.school_class.id}/learners",
        json={"new_learners": [{"username": "newbie", "display_name": "New", "password": "long-enough-1"}]},
        headers=teacher,
    )
    assert created.status_code == 201
    newbie = created.json()["enrolled"][0]["id"]
    second = await create_class(session, world.teacher)
    moved = await client.post(
        f"/v1/classes/{second.id}/learners",
        json={"learner_ids": [newbie, str(world.students[0].id)]},  # own creation; already in my class
        headers=teacher,
    )
    assert moved.status_code == 201, moved.text
    # An admin assigns another teacher's learner to this teacher's class; then the teacher may move them.
    assigned = await client.post(
        f"/v1/classes/{world.school_class.id}/learners",
        json={"learner_ids": [str(world.other_students[1].id)]},
        headers=auth_headers(settings, world.admin),
    )
    assert assigned.status_code == 201
    again = await client.post(
        f"/v1/classes/{second.id}/learners",
        json={"learner_ids": [str(world.other_students[1].id)]},
        headers=teacher,
    )
    assert again.status_code == 201


async def test_unenrol_removes_the_teachers_access_and_both_are_audited(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession
) -> None:
    teacher = auth_headers(settings, world.teacher)
    learner = world.students[0]
    assert (await client.get(f"/v1/learners/{learner.id}/consents", headers=teacher)).status_code == 200
    url = f"/v1/classes/{world.school_class.id}/learners/{learner.id}"
    outsider = await client.delete(url, headers=auth_headers(settings, world.other_teacher))
    assert outsider.status_code == 403
    removed = await client.delete(url, headers=teacher)
    assert removed.status_code == 200 and removed.json() == {
        "class_id": str(world.school_class.id),
        "learner_id": str(learner.id),
    }
    assert (await client.delete(url, headers=teacher)).status_code == 404
    assert (await client.get(f"/v1/learners/{learner.id}/consents", headers=teacher)).status_code == 403
    back = await client.post(
        f"/v1/classes/{world.school_class.id}/learners",
        json={"learner_ids": [str(learner.id)]},
        headers=auth_headers(settings, world.admin),
    )
    assert back.status_code == 201
    events = list(
        await session.scalars(
            select(AuditEvent.kind)
            .where(AuditEvent.kind.in_([kinds.ENROLMENT_ADDED, kinds.ENROLMENT_REMOVED]))
            .order_by(AuditEvent.seq)
        )
    )
    assert events == [kinds.ENROLMENT_REMOVED, kinds.ENROLMENT_ADDED]
