"""``tutor seed``: load seed_data/ into PostgreSQL idempotently (a second run inserts nothing).

Every row has a natural or deterministic key and is inserted with ON CONFLICT DO NOTHING, so rows a
school has changed since are never overwritten. Demo accounts that were erased (``erasure_records``)
are never loaded again, nor anything about them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from tutor.analytics.rebuild import rebuild_aggregates
from tutor.auth.passwords import hash_password
from tutor.db.engine import make_engine, make_session_maker
from tutor.db.models import (
    Attempt,
    Enrolment,
    ErasureRecord,
    Item,
    KnowledgePoint,
    LearnerConsent,
    Mastery,
    Prerequisite,
    School,
    SchoolClass,
    User,
    item_knowledge_points,
)
from tutor.learning.config import LearningConfig
from tutor.privacy.erasure import erasure_key
from tutor.privacy.keyed import ERASURE, digest_with, purpose_key
from tutor.seed.demo import DEMO_PASSWORDS, build_demo_school, demo_id
from tutor.seed.files import SEED_DIR, load_yaml

__all__ = ["SeedReport", "seed_database"]

BATCH = 2000


@dataclass
class SeedReport:
    inserted: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int) -> None:
        self.inserted[table] = self.inserted.get(table, 0) + count

    def summary(self) -> str:
        parts = ", ".join(f"{table}: {n}" for table, n in self.inserted.items())
        return f"Seed loaded (rows inserted: {parts or 'none'})."


async def _insert(
    conn: AsyncConnection, table: Table, rows: list[dict[str, Any]], report: SeedReport
) -> None:
    inserted = 0
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        if chunk:
            result = await conn.execute(insert(table).values(chunk).on_conflict_do_nothing())
            inserted += max(result.rowcount or 0, 0)
    report.add(table.name, inserted)


def _item_rows(raw_items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    items: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for raw in raw_items:
        item_id = demo_id("item", raw["code"])
        items.append(
            {
                "id": item_id,
                "code": raw["code"],
                "stem_latex": raw.get("stem_latex"),
                "stem_text_zh": raw.get("stem_text_zh"),
                "stem_text_en": raw.get("stem_text_en"),
                "answer": str(raw["answer"]),
                "answer_kind": raw["answer_kind"],
                "task": raw.get("task"),
                "difficulty": float(raw["difficulty"]),
                "difficulty_prior": float(raw["difficulty"]),
                "discrimination": 1.0,
                "calibration_attempts": 0,
                "origin": "seed",
                "verified": bool(raw.get("verified", False)),
            }
        )
        links.extend({"item_id": item_id, "kp_code": code} for code in raw["knowledge_points"])
    return items, links


async def seed_database(url: str, *, demo: bool = True) -> SeedReport:
    report = SeedReport()
    curriculum = load_yaml("curriculum.yaml")["knowledge_points"]
    raw_items = load_yaml("items.yaml")["items"] if (SEED_DIR / "items.yaml").exists() else []
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            kp_table: Table = KnowledgePoint.__table__  # type: ignore[assignment]
            await _insert(
                conn,
                kp_table,
                [
                    {"code": kp["code"], "name_zh": kp["name_zh"], "name_en": kp["name_en"]}
                    for kp in curriculum
                ],
                report,
            )
            edges = [
                {"code": kp["code"], "requires": req} for kp in curriculum for req in kp["prerequisites"]
            ]
            await _insert(conn, Prerequisite.__table__, edges, report)  # type: ignore[arg-type]
            items, links = _item_rows(raw_items)
            await _insert(conn, Item.__table__, items, report)  # type: ignore[arg-type]
            await _insert(conn, item_knowledge_points, links, report)
            if demo:
                await _seed_demo(conn, curriculum, items, links, report)
        if report.inserted.get("attempts"):
            # New history: derive analytics aggregates and item-aware mastery from it, as live attempts would.
            async with make_session_maker(engine)() as session:
                await rebuild_aggregates(session, LearningConfig.from_env({}))
                await session.commit()
    finally:
        await engine.dispose()
    return report


async def _seed_demo(
    conn: AsyncConnection,
    curriculum: list[dict[str, Any]],
    items: list[dict[str, Any]],
    links: list[dict[str, Any]],
    report: SeedReport,
) -> None:
    kp_codes: dict[Any, list[str]] = {}
    for link in links:
        kp_codes.setdefault(link["item_id"], []).append(link["kp_code"])
    bank = [{"id": i["id"], "answer": i["answer"], "kp_codes": kp_codes.get(i["id"], [])} for i in items]
    demo = build_demo_school(curriculum, [b for b in bank if b["kp_codes"]])
    await _insert(conn, School.__table__, [demo.school], report)  # type: ignore[arg-type]
    erased = await _erased(conn, [u["id"] for u in demo.users])
    if erased:
        _drop_erased(demo, erased)
        report.add("erased accounts skipped", len(erased))

    existing = set(
        (await conn.scalars(select(User.username).where(User.id.in_([u["id"] for u in demo.users])))).all()
    )
    hashes = {role: hash_password(password) for role, password in DEMO_PASSWORDS.items()}
    new_users = [
        {**u, "password_hash": hashes[u["role"]], "is_active": True}
        for u in demo.users
        if u["username"] not in existing
    ]
    await _insert(conn, User.__table__, new_users, report)  # type: ignore[arg-type]
    await _insert(conn, SchoolClass.__table__, demo.classes, report)  # type: ignore[arg-type]
    await _insert(conn, Enrolment.__table__, demo.enrolments, report)  # type: ignore[arg-type]
    await _insert(conn, LearnerConsent.__table__, demo.consents, report)  # type: ignore[arg-type]
    await _insert(conn, Attempt.__table__, demo.attempts, report)  # type: ignore[arg-type]
    await _insert(conn, Mastery.__table__, demo.mastery, report)  # type: ignore[arg-type]


async def _erased(conn: AsyncConnection, account_ids: list[Any]) -> set[Any]:
    """The accounts among ``account_ids`` that were erased (their keyed hash is on record)."""
    key = await purpose_key(conn, ERASURE)
    by_digest = {digest_with(key, erasure_key(account_id)): account_id for account_id in account_ids}
    found = await conn.scalars(
        select(ErasureRecord.key_hash).where(ErasureRecord.key_hash.in_(list(by_digest)))
    )
    return {by_digest[digest] for digest in found}


def _drop_erased(demo: Any, erased: set[Any]) -> None:
    demo.users = [u for u in demo.users if u["id"] not in erased]
    for rows in ("enrolments", "attempts", "mastery", "consents"):
        setattr(demo, rows, [r for r in getattr(demo, rows) if r["learner_id"] not in erased])
