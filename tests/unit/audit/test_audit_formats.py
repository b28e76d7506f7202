"""Export writers: files round-trip to rows that still verify; xAPI statements carry no identity."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from tutor.audit import kinds
from tutor.audit.canonical import normalise
from tutor.audit.chain import GENESIS_HASH, ChainRow, seal, verify_rows
from tutor.audit.formats import CSV_COLUMNS, encode_stream

START = datetime(2026, 11, 1, tzinfo=UTC)
SCHOOL = UUID("00000000-0000-7000-8000-000000000001")


def build_chain(specs: list[tuple[str, str | None, dict[str, Any]]]) -> list[ChainRow]:
    """A valid chain of plain rows: (kind, learner pseudonym, payload) per event."""
    rows: list[ChainRow] = []
    for index, (kind, learner_ref, payload) in enumerate(specs):
        draft = ChainRow(
            seq=index + 1, occurred_at=START + timedelta(seconds=index), kind=kind, actor_id=None,
            actor_role="service", actor_ref=None, learner_ref=learner_ref, school_id=SCHOOL,
            payload=normalise(payload), prev_hash=rows[-1].hash if rows else GENESIS_HASH,
        )  # fmt: skip
        rows.append(seal(draft))
    return rows


HOME = "https://school.example"


async def batches(rows: list[ChainRow], size: int = 2) -> AsyncIterator[Sequence[ChainRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def export(rows: list[ChainRow], fmt: str) -> bytes:
    return b"".join([chunk async for chunk in encode_stream(batches(rows), fmt, home_page=HOME)])  # type: ignore[arg-type]


def sample() -> list[ChainRow]:
    return build_chain(
        [
            (kinds.ATTEMPT_RECORDED, "lrn_a", {"item_id": "it-1", "is_correct": True}),
            (kinds.MODEL_OUTPUT_HINT, "lrn_a", {"text": "试试移项", "model": "belle-tiny"}),
            (kinds.MASTERY_REACHED, "lrn_a", {"knowledge_point": "lin.two_step", "p_mastery": 0.96}),
            (kinds.EXPORT, None, {"format": "csv"}),
            (kinds.SESSION_COMPLETED, "lrn_b", {"session_id": "s1"}),
        ]
    )


def parse_row(document: dict[str, object]) -> ChainRow:
    values = dict(document)
    values["occurred_at"] = datetime.fromisoformat(str(values["occurred_at"]))
    for key in ("actor_id", "school_id"):
        values[key] = None if values[key] in (None, "") else UUID(str(values[key]))
    return ChainRow(**values)  # type: ignore[arg-type]


async def test_jsonl_export_reverifies_offline() -> None:
    rows = sample()
    lines = (await export(rows, "jsonl")).decode().splitlines()
    assert len(lines) == len(rows)
    assert verify_rows(parse_row(json.loads(line)) for line in lines).ok


async def test_csv_export_has_header_and_reverifies() -> None:
    rows = sample()
    reader = csv.DictReader(io.StringIO((await export(rows, "csv")).decode()))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    parsed = []
    for record in reader:
        document: dict[str, object] = {k: (None if v == "" else v) for k, v in record.items()}
        document["seq"] = int(str(document["seq"]))
        document["payload"] = json.loads(str(document["payload"]))
        parsed.append(parse_row(document))
    assert verify_rows(parsed).ok
    assert parsed[1].payload["text"] == "试试移项"
