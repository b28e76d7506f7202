"""The stored chain: append-only in PostgreSQL, tampering found by verify, no fork under concurrency."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_school, create_user
from tutor.audit import kinds
from tutor.audit.chain import ChainRow, row_hash
from tutor.audit.events import record_event
from tutor.audit.verify import verify_chain
from tutor.db.engine import make_engine, make_session_maker
from tutor.db.models import User
from tutor.db.models.audit import AuditEvent

KINDS = sorted(kinds.ALL_KINDS)


@pytest.fixture
async def learners(session: AsyncSession) -> list[User]:
    school = await create_school(session)
    return [await create_user(session, school, "student") for _ in range(3)]


async def write_events(
    session: AsyncSession, specs: list[tuple[str, int | None, dict[str, Any]]], learners: list[User]
) -> None:
    for kind, learner_index, payload in specs:
        learner = None if learner_index is None else learners[learner_index]
        await record_event(
            session,
            kind=kind,
            actor_id=learner.id if learner else None,
            actor_role="student" if learner else "service",
            learner_id=learner.id if learner else None,
            school_id=learner.school_id if learner else None,
            payload=payload,
        )
    await session.commit()


async def tamper(session: AsyncSession, sql: str, **params: Any) -> None:
    """Change rows as a superuser would: replica mode switches the append-only trigger off."""
    await session.execute(text("SET LOCAL session_replication_role = replica"))
    await session.execute(text(sql), params)
    await session.commit()


async def reset(session: AsyncSession) -> None:
    await session.rollback()
    session.expunge_all()
    await tamper(session, "DELETE FROM audit_events")
    await session.execute(text("DELETE FROM audit_chain_head"))
    await session.commit()


async def test_events_verify_and_store_only_pseudonyms(session: AsyncSession, learners: list[User]) -> None:
    kid = learners[0]
    await write_events(
        session, [(kinds.ATTEMPT_RECORDED, 0, {"learner": str(kid.id), "item_id": "i1"})], learners
    )
    event = await session.scalar(select(AuditEvent))
    assert event is not None
    assert event.actor_id is None and event.actor_ref == event.learner_ref
    assert event.learner_ref is not None and event.learner_ref.startswith("lrn_")
    assert event.payload["learner"] == event.learner_ref
    assert str(kid.id) not in str(event.payload) and kid.display_name not in str(event.payload)
    report = await verify_chain(session)
    assert report.ok and report.checked == 1


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET kind = 'export'", "DELETE FROM audit_events", "TRUNCATE audit_events"],
)
async def test_audit_rows_cannot_be_changed(
    session: AsyncSession, learners: list[User], statement: str
) -> None:
    await write_events(session, [(kinds.EXPORT, None, {"n": 1})], learners)
    with pytest.raises(DBAPIError, match="append-only"):
        await session.execute(text(statement))
    await session.rollback()
    assert (await verify_chain(session)).ok


async def test_rolled_back_change_leaves_no_event(session: AsyncSession, learners: list[User]) -> None:
    await write_events(session, [(kinds.EXPORT, None, {"n": 1})], learners)
    await record_event(
        session, kind=kinds.EXPORT, actor_id=None, actor_role=None, learner_id=None, payload={}
    )
    await session.rollback()
    await write_events(session, [(kinds.EXPORT, None, {"n": 2})], learners)
    report = await verify_chain(session)
    assert report.ok and report.checked == 2 and report.last_seq == 2


event_specs = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.none() | st.integers(0, 2),
        st.dictionaries(
            st.sampled_from(["item_id", "is_correct", "text", "p"]), st.integers(-5, 5) | st.text(max_size=8)
        ),
    ),
    min_size=2,
    max_size=10,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=event_specs, data=st.data())
async def test_verify_finds_any_direct_tampering(
    session: AsyncSession,
    learners: list[User],
    specs: list[tuple[str, int | None, dict[str, Any]]],
    data: st.DataObject,
) -> None:
    await reset(session)
    await write_events(session, specs, learners)
    assert (await verify_chain(session)).ok, "an untouched chain verifies"
    count = len(specs)
    seq = data.draw(st.integers(1, count), label="seq")
    other = (seq + data.draw(st.integers(0, count - 2), label="offset")) % count + 1  # any seq but ``seq``
    how = data.draw(
        st.sampled_from(["edit-payload", "edit-kind", "delete", "insert-middle", "append-valid", "reorder"])
    )
    if how == "edit-payload":
        await tamper(
            session, "UPDATE audit_events SET payload = payload || '{\"x\": 1}' WHERE seq = :s", s=seq
        )
    elif how == "edit-kind":
        await tamper(session, "UPDATE audit_events SET kind = 'item.edited' || kind WHERE seq = :s", s=seq)
    elif how == "delete":
        await tamper(session, "DELETE FROM audit_events WHERE seq = :s", s=seq)
    elif how == "insert-middle":
        await tamper(session, "UPDATE audit_events SET seq = seq + 1000000 WHERE seq >= :s", s=seq)
        await tamper(session, "UPDATE audit_events SET seq = seq - 999999 WHERE seq > 1000000")
        await tamper(
            session,
            "INSERT INTO audit_events (seq, occurred_at, kind, payload, prev_hash, hash) "
            "SELECT CAST(:s AS bigint), occurred_at, 'export', '{}'::jsonb, prev_hash, :h "
            "FROM audit_events WHERE seq = CAST(:s AS bigint) + 1",
            s=seq,
            h=secrets.token_hex(32),
        )
    elif how == "append-valid":
        # The strongest forger without the head: a correctly hashed event appended after the last one.
        last = await session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        assert last is not None
        forged = ChainRow(
            seq=last.seq + 1, occurred_at=last.occurred_at, kind="item.edited", actor_id=None,
            actor_role=None, actor_ref=None, learner_ref=None, school_id=None, payload={},
            prev_hash=last.hash,
        )  # fmt: skip
        await tamper(
            session,
            "INSERT INTO audit_events (seq, occurred_at, kind, payload, prev_hash, hash) "
            "VALUES (:s, :at, 'item.edited', '{}'::jsonb, :p, :h)",
            s=forged.seq, at=forged.occurred_at, p=forged.prev_hash, h=row_hash(forged),
        )  # fmt: skip
        session.expunge_all()
    else:
        await tamper(session, "UPDATE audit_events SET seq = 1000000 WHERE seq = :a", a=seq)
        await tamper(session, "UPDATE audit_events SET seq = :a WHERE seq = :b", a=seq, b=other)
        await tamper(session, "UPDATE audit_events SET seq = :b WHERE seq = 1000000", b=other)
    report = await verify_chain(session)
    assert not report.ok, f"{how} at {seq} went unnoticed"
    assert report.broken is not None and report.broken.reason


async def test_verify_from_a_later_event(session: AsyncSession, learners: list[User]) -> None:
    await write_events(session, [(kinds.EXPORT, None, {"n": n}) for n in range(6)], learners)
    await tamper(session, "UPDATE audit_events SET payload = '{}' WHERE seq = 2")
    assert not (await verify_chain(session)).ok
    later = await verify_chain(session, from_seq=4)
    assert later.ok and later.first_seq == 4 and later.checked == 3


async def test_twenty_concurrent_writers_never_fork_the_chain(db_url: str, learners: list[User]) -> None:
    engine = make_engine(db_url, pool_size=20)
    sessions = make_session_maker(engine)
    ids: list[UUID] = [learner.id for learner in learners]

    async def writer(number: int) -> None:
        for index in range(100):
            async with sessions() as own, own.begin():
                learner = ids[(number + index) % len(ids)]
                await record_event(
                    own, kind=kinds.ATTEMPT_RECORDED, actor_id=learner, actor_role="student",
                    learner_id=learner, payload={"writer": number, "index": index},
                )  # fmt: skip

    try:
        await asyncio.gather(*(writer(n) for n in range(20)))
        async with sessions() as check:
            report = await verify_chain(check)
            assert report.ok, report.broken
            assert report.checked == 2000 and report.last_seq == 2000
            distinct_prev = await check.scalar(select(func.count(func.distinct(AuditEvent.prev_hash))))
            assert distinct_prev == 2000, "two events chained onto the same predecessor: a fork"
    finally:
        await engine.dispose()


json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payload=st.dictionaries(st.text(max_size=6), json_leaves | st.lists(json_leaves, max_size=3), max_size=5)
)
async def test_any_json_payload_survives_the_jsonb_round_trip(
    session: AsyncSession, learners: list[User], payload: dict[str, Any]
) -> None:
    """Whatever PostgreSQL's JSONB does to numbers and key order, the stored event still verifies."""
    await reset(session)
    await write_events(session, [(kinds.MODEL_OUTPUT_SOLUTION, 0, payload)], learners)
    session.expunge_all()
    report = await verify_chain(session)
    assert report.ok, report.broken
