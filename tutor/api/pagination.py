"""Limit/offset pagination with bounded page sizes (advanced-alchemy's filter + Litestar's page shape)."""

from __future__ import annotations

from typing import Annotated

from advanced_alchemy.filters import LimitOffset
from litestar.params import Parameter

__all__ = ["MAX_PAGE_SIZE", "provide_limit_offset"]

MAX_PAGE_SIZE = 100


def provide_limit_offset(
    limit: Annotated[int, Parameter(query="limit", ge=1, le=MAX_PAGE_SIZE, default=20)] = 20,
    offset: Annotated[int, Parameter(query="offset", ge=0, le=10_000_000, default=0)] = 0,
) -> LimitOffset:
    return LimitOffset(limit=limit, offset=offset)
