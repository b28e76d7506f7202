"""Recompute the stored chain and report the first broken link (CLI ``tutor audit verify``, the API)."""

from __future__ import annotations

from contextlib import aclosing

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.audit.chain import GENESIS_HASH, ChainBreak, ChainVerifier, VerifyReport
from tutor.audit.store import DEFAULT_BATCH, EventFilter, stream_rows
from tutor.db.models.audit import AuditChainHead, AuditEvent

__all__ = ["verify_chain"]


async def verify_chain(
    session: AsyncSession, *, from_seq: int | None = None, batch_size: int = DEFAULT_BATCH
) -> VerifyReport:
    """Verify events from ``from_seq`` (default: the first) to the recorded chain head.

    Starting in the middle trusts the hash of event ``from_seq - 1`` as the anchor; the full check
    (no ``from_seq``) trusts nothing but the genesis value.
    """
    start = max(1, from_seq or 1)
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
    head = (
        await session.execute(select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.id == 1))
    ).one_or_none()
    verifier = ChainVerifier(expected_prev_hash=expected_prev, expected_seq=start)
    async with aclosing(stream_rows(session, EventFilter(from_seq=start), batch_size=batch_size)) as batches:
        async for batch in batches:
            if not all(verifier.feed(row) for row in batch):
                break
    if head is None:
        return verifier.finish(head_seq=0 if start == 1 else None, head_hash=None)
    return verifier.finish(head_seq=int(head[0]), head_hash=str(head[1]))
