"""Streaming writers for audit exports: each turns a batch of rows into bytes, holding nothing else.

JSON Lines and CSV carry every column including the hashes, so an exported file can be re-verified
offline with ``tutor.audit.chain.verify_rows``. (xAPI statements come from the learning records
themselves: ``tutor.audit.xapi_source``.)
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from typing import Final, Literal

import msgspec

from tutor.audit.canonical import canonical_bytes
from tutor.audit.chain import ChainRow, row_document

__all__ = ["CONTENT_TYPES", "CSV_COLUMNS", "ExportFormat", "encode_stream", "event_document"]

ExportFormat = Literal["jsonl", "csv", "xapi"]

CONTENT_TYPES: Final[dict[str, str]] = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "xapi": "application/json",
}
CSV_COLUMNS: Final = (
    "seq", "occurred_at", "kind", "actor_id", "actor_role", "actor_ref", "learner_ref", "school_id",
    "payload", "prev_hash", "hash",
)  # fmt: skip

_encoder = msgspec.json.Encoder()


def event_document(row: ChainRow) -> dict[str, object]:
    """The row as plain JSON values (timestamps in the canonical form the hash uses)."""
    return {**row_document(row), "hash": row.hash}


def _jsonl(batch: Sequence[ChainRow]) -> bytes:
    return b"".join(_encoder.encode(event_document(row)) + b"\n" for row in batch)


def _csv(batch: Sequence[ChainRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in batch:
        document = event_document(row)
        document["payload"] = canonical_bytes(row.payload).decode("utf-8")
        writer.writerow(["" if document[column] is None else document[column] for column in CSV_COLUMNS])
    return buffer.getvalue().encode("utf-8")


async def encode_stream(
    batches: AsyncIterable[Sequence[ChainRow]], fmt: ExportFormat, *, home_page: str
) -> AsyncIterator[bytes]:
    """Bytes of the export, one chunk per batch of rows."""
    if fmt == "csv":
        header = io.StringIO()
        csv.writer(header, lineterminator="\r\n").writerow(CSV_COLUMNS)
        yield header.getvalue().encode("utf-8")
    if fmt not in ("jsonl", "csv"):
        raise ValueError(f"audit rows export as jsonl or csv, not {fmt!r}")
    async for batch in batches:
        chunk = _jsonl(batch) if fmt == "jsonl" else _csv(batch)
        if chunk:
            yield chunk
