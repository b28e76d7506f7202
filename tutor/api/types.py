"""Typed request aliases for handlers."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State

from tutor.auth.principal import Principal

__all__ = ["AnyRequest", "AuthedRequest"]

AuthedRequest = Request[Principal, Any, State]
"""A request that passed authentication: ``request.user`` is the caller."""

AnyRequest = Request[Any, Any, State]
