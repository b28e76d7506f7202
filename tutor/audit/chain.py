"""The hash chain over plain rows: compute a row's hash and find the first broken link.

Pure: no database here, so the same code checks rows streamed from PostgreSQL, from an export file or
from a test. Each hash covers every column of its row plus the previous row's hash, and ``seq`` counts
up by one, so an edited row breaks its own hash, while a deleted, inserted or reordered row breaks the
link or the count; deleting the newest rows is caught by comparing with the chain head.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from tutor.audit.canonical import canonical_bytes, canonical_timestamp

__all__ = [
    "GENESIS_HASH",
    "ChainBreak",
    "ChainRow",
    "ChainVerifier",
    "VerifyReport",
    "row_hash",
    "verify_rows",
]

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first event."""


class ChainRow(msgspec.Struct, frozen=True, kw_only=True):
    """One audit event as hashed; ``payload`` must already be normalised (see ``canonical.normalise``)."""

    seq: int
    occurred_at: datetime
    kind: str
    actor_id: UUID | None
    actor_role: str | None
    actor_ref: str | None
    learner_ref: str | None
    school_id: UUID | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str = ""


class ChainBreak(msgspec.Struct, frozen=True, kw_only=True):
    """The first link that does not hold, in words a person can act on."""

    seq: int | None
    reason: str
    expected: str | None = None
    found: str | None = None


class VerifyReport(msgspec.Struct, frozen=True, kw_only=True):
    ok: bool
    checked: int
    first_seq: int | None
    last_seq: int | None
    last_hash: str | None
    broken: ChainBreak | None = None


def row_document(row: ChainRow) -> dict[str, object]:
    """Every field but ``hash`` as plain JSON values (timestamps in their canonical form)."""
    return {
        "seq": row.seq,
        "occurred_at": canonical_timestamp(row.occurred_at),
        "kind": row.kind,
        "actor_id": None if row.actor_id is None else str(row.actor_id),
        "actor_role": row.actor_role,
        "actor_ref": row.actor_ref,
        "learner_ref": row.learner_ref,
        "school_id": None if row.school_id is None else str(row.school_id),
        "payload": row.payload,
        "prev_hash": row.prev_hash,
    }


def row_hash(row: ChainRow) -> str:
    """SHA-256 of the canonical JSON of every field but ``hash``."""
    return hashlib.sha256(canonical_bytes(row_document(row))).hexdigest()


def seal(row: ChainRow) -> ChainRow:
    """The row with its ``hash`` filled in."""
    return msgspec.structs.replace(row, hash=row_hash(row))


class ChainVerifier:
    """Feed rows in ``seq`` order; stops at the first break. Memory stays constant."""

    def __init__(
        self, *, expected_prev_hash: str | None = GENESIS_HASH, expected_seq: int | None = 1
    ) -> None:
        self._expected_prev = expected_prev_hash
        self._expected_seq = expected_seq
        self.checked = 0
        self.first_seq: int | None = None
        self.last_seq: int | None = None
        self.last_hash: str | None = None
        self.broken: ChainBreak | None = None

    def feed(self, row: ChainRow) -> bool:
        """Check one row; False once the chain is broken (later rows are then ignored)."""
        if self.broken is not None:
            return False
        if self._expected_seq is not None and row.seq != self._expected_seq:
            what = "missing or deleted" if row.seq > self._expected_seq else "duplicated or reordered"
            self.broken = ChainBreak(
                seq=row.seq,
                reason=f"sequence jumps: event {self._expected_seq} expected ({what} events)",
                expected=str(self._expected_seq),
                found=str(row.seq),
            )
            return False
        if self._expected_prev is not None and row.prev_hash != self._expected_prev:
            self.broken = ChainBreak(
                seq=row.seq,
                reason="prev_hash does not match the previous event's hash (an event was removed, "
                "inserted or reordered)",
                expected=self._expected_prev,
                found=row.prev_hash,
            )
            return False
        computed = row_hash(row)
        if computed != row.hash:
            self.broken = ChainBreak(
                seq=row.seq,
                reason="hash does not match the event's contents (the event was edited)",
                expected=computed,
                found=row.hash,
            )
            return False
        if self.first_seq is None:
            self.first_seq = row.seq
        self.checked += 1
        self.last_seq = row.seq
        self.last_hash = row.hash
        self._expected_prev = row.hash
        self._expected_seq = row.seq + 1
        return True

    def finish(self, *, head_seq: int | None = None, head_hash: str | None = None) -> VerifyReport:
        """The report; with the recorded chain head, also catches the newest events being deleted."""
        if self.broken is None and head_seq is not None:
            last = self.last_seq if self.last_seq is not None else (self._expected_seq or 1) - 1
            if head_seq != last or (head_hash is not None and self.checked and head_hash != self.last_hash):
                self.broken = ChainBreak(
                    seq=last + 1 if head_seq > last else head_seq,
                    reason="the chain head records more or other events than the table holds "
                    "(the newest events were deleted or replaced)",
                    expected=f"{head_seq}:{head_hash}",
                    found=f"{last}:{self.last_hash}",
                )
        return VerifyReport(
            ok=self.broken is None,
            checked=self.checked,
            first_seq=self.first_seq,
            last_seq=self.last_seq,
            last_hash=self.last_hash,
            broken=self.broken,
        )


def verify_rows(
    rows: Iterable[ChainRow], *, head_seq: int | None = None, head_hash: str | None = None
) -> VerifyReport:
    """Verify a whole chain from its first event."""
    verifier = ChainVerifier()
    for row in rows:
        if not verifier.feed(row):
            break
    return verifier.finish(head_seq=head_seq, head_hash=head_hash)
