"""Training data, privacy ledger and a full private run against real PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.training.config import TrainingSettings
from tests.adapters.training.training_world import STUDENT_NAME, build_base_model, build_training_world
from tutor.auth.principal import Principal
from tutor.db.engine import make_engine, make_session_maker
from tutor.db.models.audit import AuditEvent
from tutor.db.models.training import TrainingRun, TrainingRunLearner
from tutor.errors import ConflictError, UnprocessableError
from tutor.privacy.consent import revoke_consent
from tutor.training import ledger
from tutor.training.data import consented_learners, heldout_examples, is_heldout, learner_examples
from tutor.training.runner import execute_run, math_check
from tutor.training.schemas import RunIn
from tutor.training.serving_format import serving_instruction


@pytest.fixture(scope="module")
def base_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_base_model(tmp_path_factory.mktemp("base"))


def _cfg(base: Path | None, root: Path, **overrides: object) -> TrainingSettings:
    values: dict[str, object] = {
        "base_model": base,
        "adapter_root": root,
        "epochs": 2,
        "batch_learners": 4,
        "delta": 1e-2,
        "target_epsilon": None,
        "noise_multiplier": 1.0,
        "learning_rate": 2e-2,
        "max_seq_len": 256,  # the served solution prompt is ~150 tokens of the tiny tokenizer
        "examples_per_learner": 3,
        "accountant": "rdp",
        "global_epsilon_cap": 100.0,
        "learner_epsilon_cap": 100.0,
        "eval_max_new_tokens": 6,
    }
    values.update(overrides)
    return TrainingSettings(**values)  # type: ignore[arg-type]


async def test_only_consenting_learners_with_scrubbed_text(session: AsyncSession) -> None:
    world = await build_training_world(session)
    learners = await consented_learners(session, world.school.id)
    assert learners == sorted(u.id for u in world.consenting)  # revoked and never-consented are out
    data = await learner_examples(session, world.school.id, learners)
    assert set(data) == {str(u.id) for u in world.consenting}
    texts = [e.instruction + e.output for examples in data.values() for e in examples]
    assert texts and all(STUDENT_NAME not in t for t in texts)
    named_in_training = any(STUDENT_NAME in (i.stem_text_zh or "") for i in world.train_items)
    assert any("[NAME]" in t for t in texts) == named_in_training  # scrubbed, not dropped
    # the served format: the solution prompt around the stem, the answer boxed on the last line
    assert all(t.endswith(tuple(f"\\boxed{{{i.answer}}}" for i in world.train_items)) for t in texts)
    assert all(e.instruction.startswith("请一步一步地解") for v in data.values() for e in v)
    assert all(len(v) >= 1 for v in data.values())
    heldout = await heldout_examples(session, world.school.id)
    assert {e.instruction for e in heldout} == {
        serving_instruction((i.stem_text_zh or "").replace(STUDENT_NAME, "[NAME]"), "zh")
        for i in world.heldout_items
    }
    train_stems = {e.instruction for examples in data.values() for e in examples}
    assert not train_stems & {e.instruction for e in heldout}  # held-out items never reach training
    assert all(not is_heldout(i.id) for i in world.train_items)


async def test_run_is_recorded_and_every_included_learner_charged(
    session: AsyncSession, tmp_path: Path
) -> None:
    world = await build_training_world(session)
    run = await ledger.create_run(session, world.school.id, world.admin.id, RunIn(), _cfg(tmp_path, tmp_path))
    await session.commit()
    assert (run.status, run.adapter_name, run.adapter_version) == ("queued", "math", 1)
    assert run.learner_count == 12 and run.steps == 2 * 3 and run.sample_rate == pytest.approx(1 / 3)
    assert run.accountant == "rdp" and run.noise_multiplier == 1.0 and run.epsilon > 0
    charged = set(await session.scalars(select(TrainingRunLearner.learner_id)))
    assert charged == {u.id for u in world.consenting}
    spend = await ledger.learner_spend(session, [world.consenting[0].id, world.no_consent.id])
    assert spend == {world.consenting[0].id: pytest.approx(run.epsilon)}
    # One run at a time per base model.
    with pytest.raises(ConflictError, match="already queued or running"):
        await ledger.create_run(session, world.school.id, world.admin.id, RunIn(), _cfg(tmp_path, tmp_path))


async def test_runs_over_budget_are_refused_before_anything_is_recorded(
    session: AsyncSession, tmp_path: Path
) -> None:
    world = await build_training_world(session)
    school_id = world.school.id  # the rollbacks below expire ORM objects
    planned = await ledger.create_run(session, school_id, None, RunIn(), _cfg(tmp_path, tmp_path))
    epsilon = planned.epsilon
    await session.rollback()  # nothing kept: measure the plan only

    with pytest.raises(ConflictError) as info:
        await ledger.create_run(
            session,
            school_id,
            None,
            RunIn(),
            _cfg(tmp_path, tmp_path, global_epsilon_cap=epsilon * 0.9),
        )
    assert info.value.extra["budget"] == "global"
    await session.rollback()

    first = await ledger.create_run(session, school_id, None, RunIn(), _cfg(tmp_path, tmp_path))
    first.status = "failed"  # finished: the base model is free again, but the spend stays charged
    await session.commit()
    with pytest.raises(ConflictError) as info:
        await ledger.create_run(
            session,
            school_id,
            None,
            RunIn(),
            _cfg(tmp_path, tmp_path, learner_epsilon_cap=epsilon * 1.5),
        )
    assert info.value.extra["budget"] == "learner"
    assert info.value.extra["learners_over_budget"] == 12
    await session.rollback()
    assert len(list(await session.scalars(select(TrainingRun)))) == 1

    with pytest.raises(UnprocessableError, match="delta"):
        await ledger.create_run(session, school_id, None, RunIn(delta=0.09), _cfg(tmp_path, tmp_path))


async def test_full_private_run_trains_checks_scores_and_audits(
    session: AsyncSession, db_url: str, base_model: Path, tmp_path: Path
) -> None:
    world = await build_training_world(session)
    cfg = _cfg(base_model, tmp_path / "adapters")
    run = await ledger.create_run(session, world.school.id, world.admin.id, RunIn(), cfg)
    await session.commit()
    run_id: UUID = run.id
    engine = make_engine(db_url, pool_size=2)
    try:
        final = await execute_run(make_session_maker(engine), run_id, cfg, seed=3)
    finally:
        await engine.dispose()
    assert final.status == "succeeded", final.error
    assert final.sanity_passed and final.epsilon_spent == pytest.approx(final.epsilon, rel=1e-3)
    assert final.progress_step == final.steps and final.progress_epsilon is not None
    per_learner = await learner_examples(session, world.school.id, [u.id for u in world.consenting])
    assert final.example_count == sum(min(3, len(v)) for v in per_learner.values())
    assert final.dataset_hash and len(final.dataset_hash) == 64
    assert final.eval_scores is not None and final.eval_scores["examples"] == len(world.heldout_items)
    assert final.gate_passed  # first adapter: nothing active to be worse than
    card = json.loads((Path(final.adapter_dir or "") / "card.json").read_text())
    assert card["privacy"]["epsilon"] == final.epsilon and card["privacy"]["unit"] == "learner"
    assert card["data"]["dataset_hash"] == final.dataset_hash
    assert card["evaluation"]["heldout_loss"] == final.eval_scores["heldout_loss"]
    session.expire_all()
    events = list(await session.scalars(select(AuditEvent).where(AuditEvent.kind == "model.training_run")))
    assert len(events) == 1 and events[0].payload["status"] == "succeeded"
    assert STUDENT_NAME not in json.dumps(card, ensure_ascii=False)


def test_math_check_reads_any_answer_kind() -> None:
    assert math_check("7", "7") and math_check("x=2", "x = 2") and not math_check("8", "7")


async def test_consent_revoked_after_acceptance_drops_the_learner_but_keeps_the_charge(
    session: AsyncSession, db_url: str, base_model: Path, tmp_path: Path
) -> None:
    world = await build_training_world(session)
    cfg = _cfg(base_model, tmp_path / "adapters", epochs=1)
    run = await ledger.create_run(session, world.school.id, world.admin.id, RunIn(), cfg)
    await session.commit()
    run_id, leaver = run.id, world.consenting[0].id
    staff = Principal(id=world.admin.id, role="admin", school_id=world.school.id)
    await revoke_consent(session, learner_id=leaver, purpose="model_training", revoked_by=staff)
    await session.commit()
    engine = make_engine(db_url, pool_size=2)
    try:
        final = await execute_run(make_session_maker(engine), run_id, cfg, seed=4)
    finally:
        await engine.dispose()
    assert final.status in {"succeeded", "failed"} and final.learner_count == 11
    assert final.epsilon_spent is not None and final.epsilon_spent <= final.epsilon * (1 + 1e-6)
    assert (await ledger.learner_spend(session, [leaver]))[leaver] == pytest.approx(final.epsilon)
