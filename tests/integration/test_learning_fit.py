"""`tutor fit-mastery` / `tutor recalibrate-items`: fit from attempts stored in PostgreSQL, store a new
version, and use it from the next attempt on."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, auth_headers, create_item, create_kp
from tutor.db.models import Attempt, Item, Mastery, User
from tutor.db.models.learning import BKTParamVersion
from tutor.learning.bkt import BKTParams
from tutor.learning.irt import ItemParams, predict_correct
from tutor.practice.fitting import fit_mastery, recalibrate_item_bank
from tutor.settings import Settings

TRUTH = BKTParams(prior=0.2, learn=0.15, guess=0.25, slip=0.1)


async def _simulate(
    session: AsyncSession,
    world: World,
    items: list[Item],
    difficulties: list[float],
    learners: int,
    length: int,
) -> None:
    rng = random.Random(42)
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    users = [
        {
            "id": uuid.uuid4(),
            "school_id": world.school.id,
            "role": "student",
            "username": f"sim-{n}-{uuid.uuid4().hex[:6]}",
            "display_name": f"Sim {n}",
            "is_active": True,
            "created_at": t0,
            "updated_at": t0,
        }
        for n in range(learners)
    ]
    await session.execute(insert(User), users)
    rows = []
    for user in users:
        known = rng.random() < TRUTH.prior
        for step in range(length):
            k = rng.randrange(len(items))
            p = predict_correct(1.0 if known else 0.0, TRUTH, ItemParams(difficulty=difficulties[k]))
            correct = rng.random() < p
            if not known and rng.random() < TRUTH.learn:
                known = True
            at = t0 + timedelta(minutes=step)
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "learner_id": user["id"],
                    "item_id": items[k].id,
                    "submitted_answer": "5" if correct else "4",
                    "is_correct": correct,
                    "modality": "typed",
                    "created_at": at,
                    "updated_at": at,
                }
            )
    await session.execute(insert(Attempt), rows)
    await session.commit()


@pytest.fixture
async def history(session: AsyncSession, world: World) -> list[Item]:
    await create_kp(session, "lin.one_step")
    difficulties = [-1.0, 0.0, 1.0]
    items = [
        await create_item(session, ["lin.one_step"], answer="5") for _ in difficulties
    ]  # bank starts at 0
    await _simulate(session, world, items, difficulties, learners=150, length=12)
    return items


async def test_fit_stores_a_version_close_to_the_truth_and_attempts_use_it(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
    history: list[Item],
) -> None:
    outcomes = await fit_mastery(session)
    await session.commit()
    assert [o.kp_code for o in outcomes] == ["lin.one_step"]
    fitted = outcomes[0]
    assert fitted.params is not None
    # every fifth learner is held out and scores the fit against the defaults in force
    assert fitted.n_sequences == 120
    assert fitted.n_observations + fitted.heldout_observations == 150 * 12
    assert fitted.active, fitted.reasons
    assert fitted.heldout_ll is not None and fitted.baseline_ll is not None
    assert fitted.heldout_ll > fitted.baseline_ll
    assert fitted.params.learn == pytest.approx(TRUTH.learn, abs=0.07)
    assert fitted.params.slip == pytest.approx(TRUTH.slip, abs=0.07)
    assert fitted.params.guess == pytest.approx(TRUTH.guess, abs=0.1)
    stored = (await session.scalars(select(BKTParamVersion))).one()
    assert stored.id == fitted.version
    assert stored.method
    assert stored.active
    assert stored.heldout_ll == pytest.approx(fitted.heldout_ll)

    response = await client.post(
        "/v1/attempts",
        json={"item_id": str(history[0].id), "answer": "5"},
        headers=auth_headers(settings, world.students[0]),
    )
    assert response.status_code == 201
    row = await session.get(Mastery, (world.students[0].id, "lin.one_step"))
    assert row is not None
    assert row.params_version == fitted.version


async def test_too_few_answers_are_skipped_with_a_reason(session: AsyncSession, world: World) -> None:
    await create_kp(session, "num.powers")
    outcomes = await fit_mastery(session, kp_codes=["num.powers"])
    assert outcomes[0].params is None
    assert outcomes[0].skipped is not None
    assert "at least 50" in outcomes[0].skipped


async def test_recalibration_orders_items_by_true_difficulty(
    session: AsyncSession, history: list[Item]
) -> None:
    outcome = await recalibrate_item_bank(session)
    await session.commit()
    assert outcome.items == 3
    assert outcome.attempts == 150 * 12
    bs = [
        (
            await session.execute(
                select(Item.difficulty).where(Item.id == item.id).execution_options(populate_existing=True)
            )
        ).scalar_one()
        for item in history
    ]
    assert bs[0] < bs[1] < bs[2]
    assert bs[2] - bs[0] > 1.0


def test_cli_fit_mastery_reports_per_point(
    db_url: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tutor.cli import main
    from tutor.settings import get_settings

    monkeypatch.setenv("TUTOR_DATABASE_URL", db_url)
    monkeypatch.setenv("TUTOR_JWT_SECRET", "cli-secret-" + "x" * 32)
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["fit-mastery"])
        assert result.exit_code == 0, result.output
        assert "nothing to fit" in result.output
        result = CliRunner().invoke(main, ["recalibrate-items"])
        assert result.exit_code == 0, result.output
        assert "Recalibrated 0 items" in result.output
    finally:
        get_settings.cache_clear()


async def test_implausible_fit_is_stored_inactive_with_its_reason_and_not_used(
    client: AsyncTestClient,  # type: ignore[type-arg]
    session: AsyncSession,
    settings: Settings,
    world: World,
) -> None:
    # nobody ever answers wrong: the optimum has slip at 0, an artefact that must not go live
    await create_kp(session, "num.integers")
    items = [await create_item(session, ["num.integers"], answer="5") for _ in range(3)]
    await _simulate(session, world, items, [-9.0, -9.0, -9.0], learners=60, length=5)
    outcomes = await fit_mastery(session)
    await session.commit()
    (fitted,) = outcomes
    assert fitted.params is not None
    assert not fitted.active
    assert any(r.startswith("slip") for r in fitted.reasons), fitted.reasons
    stored = (await session.scalars(select(BKTParamVersion))).one()
    assert stored.active is False
    assert stored.report is not None and stored.report["reasons"] == list(fitted.reasons)
    response = await client.post(
        "/v1/attempts",
        json={"item_id": str(items[0].id), "answer": "5"},
        headers=auth_headers(settings, world.students[0]),
    )
    assert response.status_code == 201
    row = await session.get(Mastery, (world.students[0].id, "num.integers"))
    assert row is not None
    assert row.params_version is None  # still the defaults


def test_cli_fit_mastery_prints_the_comparison_and_dry_run_stores_nothing(
    db_url: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch, history: list[Item]
) -> None:
    from tutor.cli import main
    from tutor.settings import get_settings

    monkeypatch.setenv("TUTOR_DATABASE_URL", db_url)
    monkeypatch.setenv("TUTOR_JWT_SECRET", "cli-secret-" + "x" * 32)
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        dry = CliRunner().invoke(main, ["fit-mastery", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "in force:" in dry.output and "new:" in dry.output
        assert "held-out answers" in dry.output
        assert "dry run: nothing stored" in dry.output
        real = CliRunner().invoke(main, ["fit-mastery"])
        assert real.exit_code == 0, real.output
        assert "activated" in real.output
        again = CliRunner().invoke(main, ["fit-mastery"])  # now compared with the version in force
        assert again.exit_code == 0, again.output
        assert "version" in again.output
    finally:
        get_settings.cache_clear()
