"""``tutor train`` plans, refuses and runs through the same ledger path as the API."""

from __future__ import annotations

import asyncio
from pathlib import Path
from uuid import UUID

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.adapters.training.training_world import build_base_model, build_training_world
from tutor.db.engine import make_engine, make_session_maker
from tutor.db.models.training import TrainingRun
from tutor.settings import get_settings
from tutor.training.cli import train


async def _seed(db_url: str) -> UUID:
    engine = make_engine(db_url, pool_size=2)
    try:
        async with make_session_maker(engine)() as session:
            return (await build_training_world(session)).school.id
    finally:
        await engine.dispose()


async def _runs(db_url: str) -> list[tuple[str, int]]:
    engine = make_engine(db_url, pool_size=2)
    try:
        async with make_session_maker(engine)() as session:
            rows = await session.execute(select(TrainingRun.status, TrainingRun.progress_step))
            return [(status, step) for status, step in rows.tuples()]
    finally:
        await engine.dispose()


def test_train_command_plans_then_trains_with_progress(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    school_id = asyncio.run(_seed(db_url))
    env = {
        "TUTOR_DATABASE_URL": db_url,
        "TUTOR_DATA_DIR": str(tmp_path / "data"),
        "TUTOR_TRAINING_BASE_MODEL": str(build_base_model(tmp_path / "base")),
        "TUTOR_TRAINING_ADAPTER_ROOT": str(tmp_path / "adapters"),
        "TUTOR_TRAINING_EPOCHS": "1",
        "TUTOR_TRAINING_BATCH_LEARNERS": "4",
        "TUTOR_TRAINING_DELTA": "0.01",
        "TUTOR_TRAINING_MAX_SEQ_LEN": "64",
        "TUTOR_TRAINING_LEARNING_RATE": "0.02",
        "TUTOR_TRAINING_ACCOUNTANT": "rdp",
        "TUTOR_TRAINING_EVAL_MAX_NEW_TOKENS": "4",
        "TUTOR_PRIVACY_GLOBAL_EPSILON_CAP": "20",
        "TUTOR_PRIVACY_LEARNER_EPSILON_CAP": "20",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        planned = runner.invoke(
            train, ["--school", str(school_id), "--noise-multiplier", "1.0", "--plan-only"]
        )
        assert planned.exit_code == 0, planned.output
        assert "12 learners" in planned.output and "RDP, learner-level" in planned.output
        assert asyncio.run(_runs(db_url)) == []  # planning records and charges nothing

        refused = runner.invoke(
            train, ["--school", str(school_id), "--noise-multiplier", "0.5", "--epochs", "10"]
        )
        assert refused.exit_code != 0 and "privacy budget" in refused.output

        trained = runner.invoke(train, ["--school", str(school_id), "--noise-multiplier", "1.0"])
        assert "DP-SGD" in trained.output and "epsilon spent" in trained.output, trained.output
        assert asyncio.run(_runs(db_url))[0][1] == 3  # 12 learners / 4 per step, one epoch
    finally:
        get_settings.cache_clear()
