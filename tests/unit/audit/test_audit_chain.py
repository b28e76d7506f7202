"""The pure chain: untouched chains verify; any single edit, deletion, insertion or swap is found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.audit import kinds
from tutor.audit.canonical import normalise
from tutor.audit.chain import GENESIS_HASH, ChainRow, ChainVerifier, seal, verify_rows

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


event_specs = st.lists(
    st.tuples(
        st.sampled_from(sorted(kinds.ALL_KINDS)),
        st.sampled_from([None, "lrn_a", "lrn_b"]),
        st.dictionaries(
            st.sampled_from(["item_id", "is_correct", "text", "n"]), st.integers() | st.text(max_size=10)
        ),
    ),
    min_size=1,
    max_size=25,
)


def replace(row: ChainRow, **changes: Any) -> ChainRow:
    return ChainRow(**{**{f: getattr(row, f) for f in ChainRow.__struct_fields__}, **changes})


@given(event_specs)
def test_untouched_chain_verifies(specs: list[tuple[str, str | None, dict[str, Any]]]) -> None:
    rows = build_chain(specs)
    report = verify_rows(rows, head_seq=len(rows), head_hash=rows[-1].hash)
    assert report.ok
    assert report.checked == len(rows)
    assert report.broken is None


@settings(max_examples=150)
@given(event_specs, st.data())
def test_any_single_tampering_is_found(
    specs: list[tuple[str, str | None, dict[str, Any]]], data: st.DataObject
) -> None:
    rows = build_chain(specs)
    head = (len(rows), rows[-1].hash)
    tampering = data.draw(st.sampled_from(["edit", "delete", "insert", "reorder"]))
    if tampering == "reorder" and len(rows) < 2:
        tampering = "edit"
    index = data.draw(st.integers(0, len(rows) - 1))
    tampered = list(rows)
    if tampering == "edit":
        field = data.draw(st.sampled_from(["kind", "payload", "learner_ref", "occurred_at"]))
        new_value: Any = {
            "kind": "item.edited" if rows[index].kind != "item.edited" else "export",
            "payload": {**rows[index].payload, "tampered": True},
            "learner_ref": "lrn_other",
            "occurred_at": rows[index].occurred_at + timedelta(microseconds=1),
        }[field]
        tampered[index] = replace(rows[index], **{field: new_value})
    elif tampering == "delete":
        del tampered[index]
    elif tampering == "insert":
        forged = replace(rows[index], kind="item.edited", payload={"forged": True})
        tampered.insert(index, forged)
    else:
        other = data.draw(st.integers(0, len(rows) - 1).filter(lambda j: j != index))
        tampered[index], tampered[other] = tampered[other], tampered[index]
    report = verify_rows(tampered, head_seq=head[0], head_hash=head[1])
    assert not report.ok
    assert report.broken is not None
    assert report.broken.reason


def test_edit_is_reported_at_the_edited_event() -> None:
    rows = build_chain([("attempt.recorded", "lrn_a", {"n": i}) for i in range(5)])
    rows[2] = replace(rows[2], payload={"n": 99})
    report = verify_rows(rows)
    assert report.broken is not None
    assert report.broken.seq == 3
    assert "edited" in report.broken.reason
    assert report.checked == 2


def test_verifying_from_the_middle_uses_the_previous_hash() -> None:
    rows = build_chain([("export", None, {"n": i}) for i in range(6)])
    verifier = ChainVerifier(expected_prev_hash=rows[2].hash, expected_seq=4)
    for row in rows[3:]:
        assert verifier.feed(row)
    report = verifier.finish(head_seq=6, head_hash=rows[-1].hash)
    assert report.ok
    assert (report.first_seq, report.last_seq, report.checked) == (4, 6, 3)


def test_empty_chain_verifies_against_empty_head() -> None:
    assert verify_rows([], head_seq=0, head_hash=GENESIS_HASH).ok
    assert not verify_rows([], head_seq=3, head_hash="f" * 64).ok
