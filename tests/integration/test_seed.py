"""`tutor seed` loads the curriculum, bank and demo school, and a second run changes nothing."""

from __future__ import annotations

import psycopg

from tutor.db.urls import libpq_url
from tutor.seed.files import load_yaml
from tutor.seed.loader import seed_database

TABLES = [
    "knowledge_points",
    "knowledge_point_prerequisites",
    "items",
    "item_knowledge_points",
    "schools",
    "users",
    "classes",
    "enrolments",
    "attempts",
    "mastery",
]


def _snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent digest of every seeded table."""
    out = {}
    with psycopg.connect(libpq_url(url)) as conn:
        for table in TABLES:
            count, digest = conn.execute(
                f"SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM {table} t"
            ).fetchone()  # type: ignore[misc]
            out[table] = (count, digest)
    return out


async def test_seed_is_complete_and_idempotent(db_url: str) -> None:
    first = await seed_database(db_url)
    assert first.inserted["knowledge_points"] >= 30
    before = _snapshot(db_url)
    second = await seed_database(db_url)
    assert set(second.inserted.values()) == {0}
    assert _snapshot(db_url) == before

    counts = {table: count for table, (count, _) in before.items()}
    assert counts["items"] >= 200
    assert counts["users"] == 63 and counts["classes"] == 3 and counts["enrolments"] == 60
    assert counts["attempts"] > 1000
    with psycopg.connect(libpq_url(db_url)) as conn:
        roles = dict(conn.execute("SELECT role, count(*) FROM users GROUP BY role").fetchall())
        assert roles == {"admin": 1, "teacher": 2, "student": 60}
        uncovered = conn.execute(
            "SELECT code FROM knowledge_points kp WHERE NOT EXISTS "
            "(SELECT 1 FROM item_knowledge_points ik WHERE ik.kp_code = kp.code)"
        ).fetchall()
        assert uncovered == []
        unverified = conn.execute("SELECT count(*) FROM items WHERE NOT verified").fetchone()
        assert unverified == (0,)
        spread = conn.execute("SELECT min(difficulty), max(difficulty) FROM items").fetchone()
        assert spread is not None and spread[1] - spread[0] >= 3.0
        purposes = dict(
            conn.execute("SELECT purpose, count(*) FROM learner_consents GROUP BY purpose").fetchall()
        )
        assert purposes == {"tutoring": 60, "analytics": 60, "model_training": 30}
        activity = conn.execute("SELECT count(*) FROM learner_daily_activity").fetchone()
        assert activity is not None and activity[0] > 0  # analytics aggregates derived from the demo history
        days = conn.execute("SELECT max(created_at) - min(created_at) FROM attempts").fetchone()
        assert days is not None and days[0].days >= 14


def test_curriculum_prerequisites_form_a_dag_in_listed_order() -> None:
    kps = load_yaml("curriculum.yaml")["knowledge_points"]
    seen: set[str] = set()
    for kp in kps:
        assert set(kp["prerequisites"]) <= seen, kp["code"]
        assert kp["name_zh"] and kp["name_en"]
        seen.add(kp["code"])
    assert len(seen) == len(kps) >= 30
