"""Canonical JSON: the bytes a hash covers must not depend on key order or survive-a-round-trip quirks."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutor.audit.canonical import canonical_bytes, canonical_timestamp, normalise

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def test_key_order_and_whitespace_do_not_matter() -> None:
    assert (
        canonical_bytes({"b": 1, "a": [1, 2]})
        == canonical_bytes({"a": [1, 2], "b": 1})
        == b'{"a":[1,2],"b":1}'
    )


def test_utf8_not_escaped() -> None:
    assert canonical_bytes({"q": "解方程 x²"}) == '{"q":"解方程 x²"}'.encode()


def test_rich_values_become_plain_json() -> None:
    learner = UUID("12345678-1234-5678-1234-567812345678")
    value = normalise({"id": learner, "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "n": 2.0})
    assert value == {"id": str(learner), "at": "2026-01-02T03:04:05Z", "n": 2}


def test_non_finite_numbers_and_odd_types_are_kept_as_strings() -> None:
    """A model's NaN confidence must not make the request fail: the audit keeps it readable instead."""
    assert normalise({"p": math.nan, "q": [math.inf, -math.inf]}) == {
        "p": "NaN",
        "q": ["Infinity", "-Infinity"],
    }
    assert normalise({"r": complex(1, 2)}) == {"r": "(1+2j)"}


def test_nul_characters_are_replaced_because_jsonb_cannot_store_them() -> None:
    assert normalise({"t": "a\x00b"}) == {"t": "a\ufffdb"}


@given(json_values)
def test_normalised_value_is_a_fixed_point_through_json_text(value: Any) -> None:
    """What JSONB hands back (the canonical text, parsed) hashes exactly as what was written."""
    once = normalise({"v": value})
    assert canonical_bytes(json.loads(json.dumps(once))) == canonical_bytes(once)
    assert normalise(once) == once


def test_timestamps_are_utc_with_microseconds() -> None:
    moment = datetime(2026, 5, 1, 8, 0, 0, 120, tzinfo=timezone(timedelta(hours=8)))
    assert canonical_timestamp(moment) == "2026-05-01T00:00:00.000120+00:00"
    with pytest.raises(ValueError, match="timezone"):
        canonical_timestamp(datetime(2026, 5, 1))
