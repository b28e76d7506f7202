"""A deterministic demo school: 1 admin, 2 teachers, 3 classes, 60 students, ~3 weeks of attempts.

Learners are simulated with BKT from their own "true" parameters, practising knowledge points in
prerequisite order, so analytics and mastery have realistic shapes. Ids are UUIDv5 of stable names,
which is what makes seeding idempotent.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tutor.learning.bkt import DEFAULT_BKT_PARAMS, update_p_known

__all__ = ["DEMO_PASSWORDS", "DemoSchool", "build_demo_school", "demo_id"]

NAMESPACE = uuid.UUID("5b0c7d1e-0a43-4c1b-9a57-3c1f1d7e2a10")
DEMO_PASSWORDS = {"admin": "demo-admin-pass", "teacher": "demo-teacher-pass", "student": "demo-student-pass"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["子涵", "欣怡", "梓轩", "浩然", "雨桐", "一诺", "思远", "佳琪", "宇航", "若曦", "俊杰", "诗涵"]


def demo_id(kind: str, name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}:{name}")


@dataclass
class DemoSchool:
    school: dict[str, Any]
    users: list[dict[str, Any]]
    classes: list[dict[str, Any]]
    enrolments: list[dict[str, Any]]
    attempts: list[dict[str, Any]] = field(default_factory=list)
    mastery: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)


def _users() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    school_id = demo_id("school", "demo")
    users = [
        {
            "id": demo_id("user", "admin"),
            "role": "admin",
            "username": "admin",
            "display_name": "教务管理员 Admin",
        },
        {
            "id": demo_id("user", "teacher1"),
            "role": "teacher",
            "username": "teacher1",
            "display_name": "李老师",
        },
        {
            "id": demo_id("user", "teacher2"),
            "role": "teacher",
            "username": "teacher2",
            "display_name": "王老师",
        },
    ]
    classes = [
        {
            "id": demo_id("class", "7-1"),
            "name": "七年级1班",
            "teacher_id": users[1]["id"],
            "target_p_correct": 0.7,
        },
        {
            "id": demo_id("class", "7-2"),
            "name": "七年级2班",
            "teacher_id": users[1]["id"],
            "target_p_correct": 0.7,
        },
        {
            "id": demo_id("class", "8-1"),
            "name": "八年级1班",
            "teacher_id": users[2]["id"],
            "target_p_correct": 0.75,
        },
    ]
    enrolments = []
    for n in range(1, 61):
        username = f"student{n:02d}"
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)]
        users.append(
            {"id": demo_id("user", username), "role": "student", "username": username, "display_name": name}
        )
        enrolments.append({"class_id": classes[(n - 1) // 20]["id"], "learner_id": users[-1]["id"]})
    for user in users:
        user["school_id"] = school_id
    for school_class in classes:
        school_class["school_id"] = school_id
    return users, classes, enrolments


def _learning_order(curriculum: list[dict[str, Any]]) -> list[str]:
    """Knowledge points in a prerequisite-respecting order (curriculum.yaml is already topological)."""
    return [kp["code"] for kp in curriculum]


def _simulate(
    students: list[dict[str, Any]],
    order: list[str],
    items_by_kp: dict[str, list[dict[str, Any]]],
    now: datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(20261124)
    attempts: list[dict[str, Any]] = []
    mastery: list[dict[str, Any]] = []
    start = now - timedelta(days=21)
    for student in students:
        learn = rng.uniform(0.08, 0.3)
        guess, slip = 0.2, rng.uniform(0.05, 0.15)
        known: dict[str, bool] = {}
        belief: dict[str, list[float]] = {}
        position = 0
        for day in range(21):
            if rng.random() > 0.55:
                continue
            stamp = start + timedelta(days=day, hours=rng.randint(15, 20), minutes=rng.randint(0, 59))
            for _ in range(rng.randint(4, 9)):
                kp = order[min(position, len(order) - 1)]
                pool = items_by_kp.get(kp) or []
                if not pool:
                    position += 1
                    continue
                item = rng.choice(pool)
                is_known = known.setdefault(kp, rng.random() < 0.15)
                correct = rng.random() < ((1 - slip) if is_known else guess)
                if not is_known and rng.random() < learn:
                    known[kp] = True
                answer = item["answer"] if correct else f"{item['answer']} + 1"
                stamp += timedelta(minutes=rng.randint(1, 4))
                attempts.append(
                    {
                        "id": demo_id("attempt", f"{student['username']}:{len(attempts)}"),
                        "learner_id": student["id"],
                        "item_id": item["id"],
                        "submitted_answer": answer,
                        "is_correct": correct,
                        "modality": rng.choice(["typed", "typed", "typed", "handwriting", "speech"]),
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
                for code in item["kp_codes"]:
                    p, n, c = belief.setdefault(code, [DEFAULT_BKT_PARAMS.prior, 0, 0])
                    belief[code] = [update_p_known(p, correct, DEFAULT_BKT_PARAMS), n + 1, c + int(correct)]
                if known.get(kp) and rng.random() < 0.5:
                    position += 1
        for code, (p, n, c) in belief.items():
            mastery.append(
                {
                    "learner_id": student["id"],
                    "kp_code": code,
                    "p_known": p,
                    "n_observations": int(n),
                    "n_correct": int(c),
                    "updated_at": now,
                }
            )
    return attempts, mastery


def build_demo_school(
    curriculum: list[dict[str, Any]], items: list[dict[str, Any]], now: datetime | None = None
) -> DemoSchool:
    """``items``: dicts with ``id``, ``answer`` and ``kp_codes`` (the seeded bank)."""
    users, classes, enrolments = _users()
    items_by_kp: dict[str, list[dict[str, Any]]] = {}
    for item in sorted(items, key=lambda i: str(i["id"])):
        items_by_kp.setdefault(item["kp_codes"][0], []).append(item)
    now = now or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    students = [u for u in users if u["role"] == "student"]
    attempts, mastery = _simulate(students, _learning_order(curriculum), items_by_kp, now)
    consents = [
        {
            "id": demo_id("consent", f"{student['username']}:{purpose}"),
            "learner_id": student["id"],
            "purpose": purpose,
            "guardian_relation": "parent",
            "granted_at": now - timedelta(days=30),
            "granted_by": users[0]["id"],
            "created_at": now,
            "updated_at": now,
        }
        for n, student in enumerate(students)
        # every demo guardian agreed to tutoring and analytics; every second one also to model training
        for purpose in ("tutoring", "analytics", *(("model_training",) if n % 2 == 0 else ()))
    ]
    return DemoSchool(
        school={"id": demo_id("school", "demo"), "name": "示范中学 Demo Middle School"},
        users=users,
        classes=classes,
        enrolments=enrolments,
        attempts=attempts,
        mastery=mastery,
        consents=consents,
    )
