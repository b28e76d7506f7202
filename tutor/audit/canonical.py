"""Canonical JSON (RFC 8785, via the ``rfc8785`` library) for hashing audit events.

The stored payload is the canonical form parsed back, so what PostgreSQL's JSONB returns re-serialises to
the same bytes: integers beyond 2**53 become doubles (as JCS treats every number), NaN/Infinity are
recorded as the strings "NaN"/"Infinity", and NUL characters (which JSONB cannot store) become U+FFFD.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import msgspec
import rfc8785

__all__ = ["MAX_SAFE_INTEGER", "canonical_bytes", "canonical_timestamp", "normalise"]

MAX_SAFE_INTEGER = 2**53 - 1


def _fix(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return value
        try:
            return float(value)
        except OverflowError:  # beyond any double: keep the digits as text
            return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_fix(item) for item in value]
    if isinstance(value, dict):
        return {_fix(str(key)): _fix(item) for key, item in value.items()}
    raise ValueError(f"value of type {type(value).__name__} cannot be stored in the audit log")


def _enc_hook(value: Any) -> Any:
    """Anything msgspec cannot convert is recorded as its ``str()``: an audit write never fails on a type."""
    return str(value)


def normalise(value: Any) -> Any:
    """Plain JSON value whose canonical bytes survive a JSONB round trip unchanged.

    UUIDs, datetimes, enums, dataclasses and msgspec Structs are converted with ``msgspec.to_builtins``.
    """
    try:
        builtins = msgspec.to_builtins(value, str_keys=True, enc_hook=_enc_hook)
    except TypeError as exc:
        raise ValueError(str(exc)) from exc
    return json.loads(rfc8785.dumps(_fix(builtins)))


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 bytes of an already plain JSON value (sorted keys, UTF-8, shortest numbers)."""
    return rfc8785.dumps(_fix(value))


def canonical_timestamp(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds: PostgreSQL ``timestamptz`` keeps exactly this precision."""
    if moment.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
