"""Consent checks and erasure against a real database."""

from __future__ import annotations

from uuid import UUID

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, create_item, create_kp, create_user
from tutor.audit import kinds
from tutor.audit.events import record_event
from tutor.audit.verify import verify_chain
from tutor.auth.principal import Principal
from tutor.db.models import Attempt, Mastery, User
from tutor.db.models.audit import AuditEvent, LearnerPseudonym
from tutor.db.models.dialogues import Dialogue, DialogueTurnRow
from tutor.db.models.recognition import Recognition
from tutor.errors import ForbiddenError, NotFoundError
from tutor.privacy.access import export_learner
from tutor.privacy.consent import (
    consent_history,
    grant_consent,
    learners_with_consent,
    require_consent,
    revoke_consent,
)
from tutor.privacy.erasure import erase_learner


def principal(user: User) -> Principal:
    return Principal(id=user.id, role=user.role, school_id=user.school_id)


async def test_processing_without_consent_is_refused(session: AsyncSession, world: World) -> None:
    kid = await create_user(session, world.school, "student", consents=())
    with pytest.raises(
        ForbiddenError, match="No guardian consent for training the tutoring model"
    ) as refused:
        await require_consent(session, kid.id, "model_training")
    assert refused.value.status_code == 403
    await grant_consent(
        session, learner_id=kid.id, purpose="model_training", guardian_relation="parent",
        recorded_by=principal(world.teacher), retention_days=365,
    )  # fmt: skip
    await session.commit()
    await require_consent(session, kid.id, "model_training")
    with pytest.raises(ForbiddenError):
        await require_consent(session, kid.id, "analytics")
    assert await learners_with_consent(session, "model_training") == [kid.id]

    await revoke_consent(
        session, learner_id=kid.id, purpose="model_training", revoked_by=principal(world.admin)
    )
    await session.commit()
    with pytest.raises(ForbiddenError):
        await require_consent(session, kid.id, "model_training")
    assert await learners_with_consent(session, "model_training") == []
    history = await consent_history(session, kid.id)
    assert [(c.purpose, c.revoked_at is not None) for c in history] == [("model_training", True)]
    changes = (
        await session.scalars(select(AuditEvent).where(AuditEvent.kind == kinds.CONSENT_CHANGED))
    ).all()
    assert [e.payload["action"] for e in changes] == ["granted", "revoked"]


async def test_regranting_supersedes_and_revoking_twice_is_404(session: AsyncSession, world: World) -> None:
    kid = world.students[1]
    by = principal(world.admin)
    first = await grant_consent(
        session, learner_id=kid.id, purpose="tutoring", guardian_relation="parent", recorded_by=by
    )
    second = await grant_consent(
        session, learner_id=kid.id, purpose="tutoring", guardian_relation="legal_guardian", recorded_by=by
    )
    await session.commit()
    assert first.revoked_at is not None and second.revoked_at is None
    await revoke_consent(session, learner_id=kid.id, purpose="tutoring", revoked_by=by)
    with pytest.raises(NotFoundError, match="no active consent"):
        await revoke_consent(session, learner_id=kid.id, purpose="tutoring", revoked_by=by)


async def all_tables(session: AsyncSession) -> list[str]:
    rows = await session.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
    return sorted(str(name) for (name,) in rows.tuples())


async def tables_mentioning(session: AsyncSession, needle: str) -> list[str]:
    found = []
    for table in await all_tables(session):
        hits = await session.scalar(
            text(f'SELECT count(*) FROM "{table}" AS t WHERE t::text LIKE :needle'), {"needle": f"%{needle}%"}
        )
        if hits:
            found.append(table)
    return found


async def test_erasure_leaves_no_trace_and_the_chain_verifies(session: AsyncSession, world: World) -> None:
    kid, classmate = world.students
    name, username, kid_id = kid.display_name, kid.username, kid.id
    await create_kp(session, "lin.two_step")
    item = await create_item(session, ["lin.two_step"])
    for learner in (kid, classmate):
        session.add(Attempt(learner_id=learner.id, item_id=item.id, submitted_answer="5", is_correct=True))
        session.add(Mastery(learner_id=learner.id, kp_code="lin.two_step", p_known=0.6))
        await record_event(
            session, kind=kinds.ATTEMPT_RECORDED, actor_id=learner.id, actor_role="student",
            learner_id=learner.id, school_id=learner.school_id,
            payload={"item_id": item.id, "is_correct": True},
        )  # fmt: skip
    await grant_consent(
        session,
        learner_id=kid.id,
        purpose="tutoring",
        guardian_relation="parent",
        recorded_by=principal(world.teacher),
    )
    dialogue = Dialogue(learner_id=kid.id, school_id=kid.school_id, problem="3x + 5 = 20", lang="zh")
    session.add(dialogue)
    await session.flush()
    session.add(DialogueTurnRow(dialogue_id=dialogue.id, seq=1, role="student", text=f"我叫{name}，我不会做"))
    session.add(
        Recognition(
            learner_id=kid.id, kind="handwriting", engine="pix2tex", recognized_text="3x+5=20",
            confidence=0.9, parseable=True,
        )
    )  # fmt: skip
    await session.commit()
    assert {"dialogues", "dialogue_turns", "recognitions"} <= set(
        await tables_mentioning(session, str(kid_id)) + await tables_mentioning(session, name)
    )
    assert "attempts" in await tables_mentioning(session, str(kid_id))
    pseudonym = await session.scalar(
        select(LearnerPseudonym.pseudonym).where(LearnerPseudonym.learner_id == kid_id)
    )

    report = await erase_learner(session, kid_id, by=principal(world.admin))
    await session.commit()
    session.expunge_all()

    assert report.deleted["attempts"] == 1 and report.deleted["mastery"] == 1 and report.deleted["users"] == 1
    assert report.deleted["dialogues"] == 1 and report.deleted["recognitions"] == 1
    assert report.learner_ref == pseudonym
    for needle in (str(kid_id), name, username):
        assert await tables_mentioning(session, needle) == [], f"{needle!r} survived erasure"
    assert (
        await session.scalar(select(LearnerPseudonym).where(LearnerPseudonym.pseudonym == pseudonym)) is None
    )
    # the classmate is untouched, and the audit chain (including the erasure event) still verifies
    assert await session.get(User, classmate.id) is not None
    assert await session.scalar(select(Attempt.id).where(Attempt.learner_id == classmate.id)) is not None
    report_chain = await verify_chain(session)
    assert report_chain.ok, report_chain.broken
    erased = await session.scalar(select(AuditEvent).where(AuditEvent.kind == kinds.LEARNER_ERASED))
    assert erased is not None and erased.learner_ref == pseudonym


async def test_erasure_is_limited_to_the_admins_school_and_to_learners(
    session: AsyncSession, world: World
) -> None:
    with pytest.raises(NotFoundError):
        await erase_learner(session, world.outsider_student.id, by=principal(world.admin))
    with pytest.raises(ForbiddenError, match="Only learner accounts"):
        await erase_learner(session, world.teacher.id, by=principal(world.admin))
    with pytest.raises(NotFoundError):
        await erase_learner(session, UUID(int=7), by=principal(world.admin))


async def test_access_export_holds_the_learners_rows_but_no_secrets(
    session: AsyncSession, world: World
) -> None:
    kid = world.students[0]
    await grant_consent(
        session,
        learner_id=kid.id,
        purpose="analytics",
        guardian_relation="parent",
        recorded_by=principal(world.admin),
    )
    await session.commit()
    export = await export_learner(session, kid.id, by=principal(kid))
    assert export.learner["display_name"] == kid.display_name
    assert "password_hash" not in export.learner
    assert set(export.tables) >= {"enrolments", "learner_consents", "learner_pseudonyms"}
    assert [e["kind"] for e in export.audit_events] == [kinds.CONSENT_CHANGED]
    with pytest.raises(ForbiddenError):
        await export_learner(session, kid.id, by=principal(world.teacher))
