"""Training runs, the privacy ledger and adapter activation/rollback through the HTTP API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from saq import Worker
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.adapters.training.training_world import build_base_model, build_training_world
from tests.factories import auth_headers
from tutor.db.models.audit import AuditEvent
from tutor.db.models.training import TrainingRun
from tutor.jobs.queue import make_queue
from tutor.settings import Settings
from tutor.training.jobs import JOBS

Client = AsyncTestClient[Any]


@pytest.fixture(scope="module")
def base_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_base_model(tmp_path_factory.mktemp("base"))


def _training_env(base_model: Path, root: Path, global_cap: str = "20") -> dict[str, str]:
    return {
        "TUTOR_TRAINING_BASE_MODEL": str(base_model),
        "TUTOR_TRAINING_ADAPTER_ROOT": str(root),
        "TUTOR_TRAINING_EPOCHS": "2",
        "TUTOR_TRAINING_BATCH_LEARNERS": "4",
        "TUTOR_TRAINING_DELTA": "0.01",
        "TUTOR_TRAINING_NOISE_MULTIPLIER": "1.0",
        "TUTOR_TRAINING_LEARNING_RATE": "0.02",
        "TUTOR_TRAINING_MAX_SEQ_LEN": "256",  # the served solution prompt is ~150 tokens of the tiny tokenizer
        "TUTOR_TRAINING_EXAMPLES_PER_LEARNER": "3",
        "TUTOR_TRAINING_ACCOUNTANT": "rdp",
        "TUTOR_TRAINING_EVAL_MAX_NEW_TOKENS": "6",
        "TUTOR_PRIVACY_GLOBAL_EPSILON_CAP": global_cap,
        "TUTOR_PRIVACY_LEARNER_EPSILON_CAP": "100",
    }


@pytest.fixture
def settings(db_url: str, tmp_path: Path, base_model: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    env = _training_env(base_model, tmp_path / "adapters")
    for key, value in env.items():  # the worker's job reads the process environment
        monkeypatch.setenv(key, value)
    return Settings.from_env(
        {
            "TUTOR_DATABASE_URL": db_url,
            "TUTOR_DATA_DIR": str(tmp_path / "data"),
            "TUTOR_JWT_SECRET": "test-secret-" + "x" * 32,
            "TUTOR_DB_POOL_SIZE": "5",
            **env,
        }
    )


async def _work_off_queue(db_url: str) -> None:
    queue = make_queue(db_url)
    await queue.connect()
    try:
        await Worker(queue, JOBS, concurrency=1, burst=True, dequeue_timeout=1).start()
    finally:
        await queue.disconnect()


def _stored_run(template: TrainingRun, version: int, **changes: Any) -> TrainingRun:
    """Another finished version of the adapter, with given scores (registry rules only need the row)."""
    skip = {"id", "created_at", "updated_at", "_sentinel"}
    fields = {a.key: getattr(template, a.key) for a in inspect(TrainingRun).column_attrs if a.key not in skip}
    fields.update(adapter_version=version, **changes)
    return TrainingRun(**fields)


async def test_run_progress_ledger_activation_and_rollback(
    client: Client, session: AsyncSession, settings: Settings, db_url: str
) -> None:
    world = await build_training_world(session)
    admin, teacher = auth_headers(settings, world.admin), auth_headers(settings, world.teacher)

    assert (await client.post("/v1/training/runs", json={}, headers=teacher)).status_code == 403
    assert (await client.get("/v1/privacy/ledger", headers=teacher)).status_code == 403
    bad = await client.post("/v1/training/runs", json={"adapter_name": "Bad Name!"}, headers=admin)
    assert bad.status_code == 400 or bad.status_code == 422

    created = await client.post("/v1/training/runs", json={"adapter_name": "math"}, headers=admin)
    assert created.status_code == 202, created.text
    run = created.json()
    assert run["status"] == "queued" and run["learner_count"] == 12 and run["accountant"] == "rdp"
    assert run["epsilon"] > 0 and run["noise_multiplier"] == 1.0 and run["adapter_version"] == 1
    busy = await client.post("/v1/training/runs", json={}, headers=admin)
    assert busy.status_code == 409 and busy.json()["code"] == "training_busy"

    await _work_off_queue(db_url)

    done = (await client.get(f"/v1/training/runs/{run['id']}", headers=admin)).json()
    assert done["status"] == "succeeded", done["error"]
    assert done["progress_step"] == done["steps"] and done["progress_epsilon"] == pytest.approx(
        done["epsilon"]
    )
    assert done["sanity_passed"] and done["gate_passed"] and done["eval_scores"]["examples"] >= 3

    ledger = (await client.get("/v1/privacy/ledger", headers=admin)).json()
    assert ledger["total"] == 1 and ledger["items"][0]["id"] == run["id"]
    assert ledger["epsilon_spent_total"] == pytest.approx(run["epsilon"])
    assert ledger["max_learner_epsilon"] == pytest.approx(run["epsilon"])

    activated = await client.post("/v1/adapters/math/1/activate", headers=admin)
    assert activated.status_code == 200 and activated.json()["active_version"] == 1
    assert (await client.get("/v1/adapters/math", headers=admin)).json()["active_version"] == 1

    first = await session.get(TrainingRun, done["id"])
    assert first is not None and first.eval_scores is not None
    scores = first.eval_scores
    worse = {**scores, "heldout_loss": scores["heldout_loss"] * 2, "rouge_l": scores["rouge_l"] - 0.5}
    better = {**scores, "heldout_loss": scores["heldout_loss"] * 0.5}
    session.add_all(
        [
            _stored_run(first, 2, eval_scores=worse),
            _stored_run(first, 3, eval_scores=better),
            _stored_run(first, 4, status="failed", sanity_passed=False),
        ]
    )
    await session.commit()

    blocked = await client.post("/v1/adapters/math/2/activate", headers=admin)
    assert blocked.status_code == 409 and blocked.json()["code"] == "evaluation_gate_failed"
    assert "held-out loss" in blocked.json()["detail"]
    not_ready = await client.post("/v1/adapters/math/4/activate", headers=admin)
    assert not_ready.status_code == 409 and not_ready.json()["code"] == "adapter_not_ready"
    assert (await client.post("/v1/adapters/math/9/activate", headers=admin)).status_code == 404

    assert (await client.post("/v1/adapters/math/3/activate", headers=admin)).json()["active_version"] == 3
    back = await client.post("/v1/adapters/math/rollback", headers=admin)
    assert back.status_code == 200 and back.json()["active_version"] == 1
    to_base = await client.post("/v1/adapters/math/rollback", headers=admin)
    assert to_base.json()["active_version"] is None
    nothing = await client.post("/v1/adapters/math/rollback", headers=admin)
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_to_roll_back"

    kinds = [e.kind for e in await session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert kinds.count("adapter.activated") == 2 and kinds.count("adapter.rolled_back") == 2
    assert "model.training_run" in kinds


async def test_run_over_the_global_budget_is_refused_with_a_problem(
    client: Client, session: AsyncSession, settings: Settings
) -> None:
    world = await build_training_world(session)
    admin = auth_headers(settings, world.admin)
    refused = await client.post(
        "/v1/training/runs", json={"noise_multiplier": 0.5, "epochs": 10}, headers=admin
    )
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    body = refused.json()
    assert body["code"] == "privacy_budget_exceeded" and body["budget"] == "global"
    assert "privacy budget" in body["detail"]
    hopeless = await client.post(
        "/v1/training/runs", json={"noise_multiplier": 0.2, "epochs": 50}, headers=admin
    )
    assert hopeless.status_code == 422 and "protects no one" in hopeless.json()["detail"]
    ledger = (await client.get("/v1/privacy/ledger", headers=admin)).json()
    assert ledger["total"] == 0 and ledger["epsilon_spent_total"] == 0
