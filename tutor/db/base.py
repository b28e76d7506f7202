"""Declarative bases: advanced-alchemy's UUIDv7 keys and UTC audit timestamps, one shared metadata."""

from __future__ import annotations

from advanced_alchemy.base import DefaultBase, UUIDv7AuditBase, orm_registry

__all__ = ["Base", "PlainBase", "metadata"]

Base = UUIDv7AuditBase
"""Entities: ``id`` (UUIDv7), ``created_at``, ``updated_at``."""

PlainBase = DefaultBase
"""Association and keyed-by-code tables that declare their own primary key."""

metadata = orm_registry.metadata
