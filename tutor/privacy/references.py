"""Find every table that holds a learner's rows, from the ORM metadata's foreign keys.

Discovery (not a hand-kept list) means tables other areas add later are covered by erasure and access
requests as soon as their model is registered in ``tutor.db.models``.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Column, Table

import tutor.db.models
from tutor.db.base import metadata

__all__ = ["LEARNER_COLUMN_NAMES", "LearnerReference", "children_of", "learner_references"]

LEARNER_COLUMN_NAMES: Final = frozenset({"learner_id", "student_id"})
"""Columns that name a learner even where no foreign key was declared."""


@dataclass(frozen=True, slots=True)
class LearnerReference:
    table: Table
    column: Column[object]
    ondelete: str | None
    declared: bool

    @property
    def nulls_out(self) -> bool:
        """True where the reference records an actor (``created_by``), which erasure blanks, not deletes."""
        return (self.ondelete or "").upper() == "SET NULL"


def _register_all_models() -> None:
    """Import every module of ``tutor.db.models``, so a model missing from its ``__init__`` still counts."""
    for module in pkgutil.iter_modules(tutor.db.models.__path__):
        importlib.import_module(f"tutor.db.models.{module.name}")


def learner_references() -> list[LearnerReference]:
    """Every column in the metadata that can hold a ``users.id``, sorted by table name."""
    _register_all_models()
    users = metadata.tables["users"]
    found: list[LearnerReference] = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        if table is users:
            continue
        for column in table.columns:
            keys = [fk for fk in column.foreign_keys if fk.column.table is users]
            if keys:
                found.append(LearnerReference(table, column, keys[0].ondelete, True))
            elif column.name in LEARNER_COLUMN_NAMES and not column.foreign_keys:
                found.append(LearnerReference(table, column, None, False))
    return found


def children_of(table: Table) -> list[tuple[Table, Column[object], Column[object], str | None]]:
    """(child table, child column, referenced column, ondelete) for foreign keys pointing at ``table``."""
    _register_all_models()
    result = []
    for child in sorted(metadata.tables.values(), key=lambda t: t.name):
        for column in child.columns:
            for fk in column.foreign_keys:
                if fk.column.table is table:
                    result.append((child, column, fk.column, fk.ondelete))
    return result
