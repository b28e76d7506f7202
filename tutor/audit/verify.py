"""Recompute the stored chain and report the first broken link (CLI ``tutor audit verify``, the API).

The chain is one for the deployment (an operator verifies all of it). A school's admin sees the same
check reported for their school only: how many of *their* events were verified, the first and last of
them and the newest one's hash; a break at another school's event is reported without its details.
"""

from __future__ import annotations

from contextlib import aclosing
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit.chain import GENESIS_HASH, ChainBreak, ChainVerifier, VerifyReport
from tutor.audit.store import DEFAULT_BATCH, EventFilter, stream_rows
from tutor.db.models.audit import AuditChainHead, AuditEvent

__all__ = ["verify_chain"]


async def verify_chain(
    session: AsyncSession,
    *,
    from_seq: int | None = None,
    batch_size: int = DEFAULT_BATCH,
    school_id: UUID | None = None,
) -> VerifyReport:
    """Verify events from ``from_seq`` (default: the first) to the recorded chain head.

    Starting in the middle trusts the hash of event ``from_seq - 1`` as the anchor; the full check
    (no ``from_seq``) trusts nothing but the genesis value. Starting past the newest event checks
    nothing and is not a break. With ``school_id`` the report covers only that school's events.
    """
    start = max(1, from_seq or 1)
    head = (
        await session.execute(select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.id == 1))
    ).one_or_none()
    if head is not None and start > int(head[0]):
        return VerifyReport(ok=True, checked=0, first_seq=None, last_seq=None, last_hash=None)
    expected_prev: str | None = GENESIS_HASH
    if start > 1:
        expected_prev = await session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == start - 1))
        if expected_prev is None:
            return VerifyReport(
                ok=False,
                checked=0,
                first_seq=None,
                last_seq=None,
                last_hash=None,
                broken=ChainBreak(
                    seq=start - 1, reason=f"event {start - 1}, the anchor for --from, is missing"
                ),
            )
    verifier = ChainVerifier(expected_prev_hash=expected_prev, expected_seq=start)
    mine = ChainVerifier(expected_prev_hash=None, expected_seq=None)  # counts the school's events only
    async with aclosing(stream_rows(session, EventFilter(from_seq=start), batch_size=batch_size)) as batches:
        async for batch in batches:
            intact = True
            for row in batch:
                if not verifier.feed(row):
                    intact = False
                    break
                if school_id is not None and row.school_id == school_id:
                    mine.feed(row)
            if not intact:
                break
    report = (
        verifier.finish(head_seq=0 if start == 1 else None, head_hash=None)
        if head is None
        else verifier.finish(head_seq=int(head[0]), head_hash=str(head[1]))
    )
    if school_id is None:
        return report
    return await _for_school(session, report, mine, school_id)


async def _for_school(
    session: AsyncSession, report: VerifyReport, mine: ChainVerifier, school_id: UUID
) -> VerifyReport:
    broken = report.broken
    if broken is not None and broken.seq is not None:
        owner = await session.scalar(select(AuditEvent.school_id).where(AuditEvent.seq == broken.seq))
        if owner != school_id:
            broken = ChainBreak(
                seq=None,
                reason="the audit chain is broken at an event that is not your school's; "
                "the operator must check it (`tutor audit verify`). Your school's events before it verified",
            )
    return VerifyReport(
        ok=report.ok,
        checked=mine.checked,
        first_seq=mine.first_seq,
        last_seq=mine.last_seq,
        last_hash=mine.last_hash,
        broken=broken,
    )
