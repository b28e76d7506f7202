"""Simulated learners: does our online learner model predict as well as one that knows the truth?

Learners are drawn from known BKT parameters per knowledge point and items from known difficulties
(on the shared logit scale). Every answer is generated from the *true* model and fed to *our* model.

``--backend db`` (default): the real thing on PostgreSQL (TUTOR_TEST_DATABASE_URL, else an embedded
server). Each pick comes from the `next_exercise` service, each answer goes through `record_attempt`
(grading, item-aware BKT, online difficulty, wrong-answer book, aggregates, one transaction); after
the first cohort the `tutor fit-mastery` and `tutor recalibrate-items` services fit BKT parameters
and item difficulties from the stored attempts, and the second cohort runs on them.
``--backend memory``: the same loop on the pure functions alone (fast; for many seeds).

Reported (and written to bench/results/simulate_learners_db.json):
  (a) AUC of our P(correct) predicted before each answer vs the AUC of an oracle that knows the true
      BKT parameters and item difficulties (same answers, same hidden knowledge state): the ratio;
  (b) fitted vs true BKT parameters (mean absolute error; the defaults' error as the baseline) and item
      difficulty correlation / mean absolute error (the prior 0's error as the baseline);
  (c) the next-exercise picks: mean |predicted - observed| P(correct) (overall, and over deciles of the
      prediction = expected calibration error), and observed accuracy vs the 0.7 target.

Usage: ``python bench/simulate_learners_db.py [--backend db|memory] [--learners N] [--length N] [--seed 1]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import psycopg
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from tutor.learning.bkt import DEFAULT_BKT_PARAMS, BKTParams
from tutor.learning.bkt_fit import fit_bkt
from tutor.learning.irt import (
    ItemParams,
    online_item_update,
    predict_correct,
    update_p_known_for_item,
)
from tutor.learning.irt_fit import ItemObservation, recalibrate_items
from tutor.learning.selection import (
    Candidate,
    DueReview,
    LearnerState,
    SelectionConfig,
    predict_item,
    select_next,
)
from tutor.learning.spacing import ReviewState, on_attempt

RESULTS = Path(__file__).resolve().parent / "results" / "simulate_learners_db.json"
PREREQS: dict[str, list[str]] = {
    "num.integers": [],
    "num.integer_muldiv": ["num.integers"],
    "lin.one_step": ["num.integer_muldiv"],
    "lin.two_step": ["lin.one_step"],
    "expr.evaluate": ["num.integer_muldiv"],
    "lin.word_problems": ["lin.two_step"],
}
ITEMS_PER_KP = 12


@dataclass
class World:
    true_kp: dict[str, BKTParams]
    true_items: dict[str, ItemParams]
    item_kp: dict[str, str]


@dataclass
class Outcome:
    """Per cohort: our P(correct) before each answer, the oracle's, and the answers."""

    preds: list[list[float]] = field(default_factory=lambda: [[], []])
    oracle: list[list[float]] = field(default_factory=lambda: [[], []])
    answers: list[list[bool]] = field(default_factory=lambda: [[], []])
    fitted: dict[str, BKTParams] = field(default_factory=dict)
    item_difficulty: dict[str, float] = field(default_factory=dict)


@dataclass
class Model:
    kp_params: dict[str, BKTParams]
    items: dict[str, ItemParams]
    sequences: dict[str, list[list[bool]]] = field(default_factory=dict)
    item_keys: dict[str, list[list[str]]] = field(default_factory=dict)
    observations: list[tuple[str, str, float, bool]] = field(default_factory=list)


def make_world(rng: random.Random) -> World:
    true_kp = {
        kp: BKTParams(
            prior=rng.uniform(0.1, 0.35),
            learn=rng.uniform(0.08, 0.25),
            guess=rng.uniform(0.1, 0.3),
            slip=rng.uniform(0.05, 0.15),
        )
        for kp in PREREQS
    }
    true_items: dict[str, ItemParams] = {}
    item_kp: dict[str, str] = {}
    for kp in PREREQS:
        bs = [rng.gauss(0.0, 0.9) for _ in range(ITEMS_PER_KP)]
        centre = sum(bs) / len(bs)  # difficulty 0 = the knowledge point's average item
        for i, b in enumerate(bs):
            key = f"{kp}#{i}"
            true_items[key] = ItemParams(difficulty=b - centre)
            item_kp[key] = kp
    return World(true_kp, true_items, item_kp)


def run_learner(
    world: World, model: Model, rng: random.Random, length: int, online_items: bool
) -> tuple[list[float], list[float], list[bool], list[tuple[float, bool]]]:
    """One learner's session; returns our predictions, the oracle's, the answers, and the picks."""
    known = {kp: rng.random() < p.prior for kp, p in world.true_kp.items()}
    ours = {kp: model.kp_params[kp].prior for kp in PREREQS}
    oracle = {kp: world.true_kp[kp].prior for kp in PREREQS}
    seqs: dict[str, list[bool]] = {kp: [] for kp in PREREQS}
    keys: dict[str, list[str]] = {kp: [] for kp in PREREQS}
    book: dict[str, ReviewState] = {}
    recent: list[str] = []
    now = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    preds, oracle_preds, answers, picks = [], [], [], []
    candidates = [Candidate(k, (world.item_kp[k],), model.items[k]) for k in world.true_items]
    for step in range(length):
        if step and step % 20 == 0:
            now += timedelta(days=2)  # a new session two days later: some book entries are due
        candidates = [
            Candidate(c.item_id, c.knowledge_points, model.items[str(c.item_id)]) for c in candidates
        ]
        due = [DueReview(k, s.due_at) for k, s in book.items() if s.open]
        state = LearnerState(p_known=ours, recent_items=frozenset(recent[-8:]), due_reviews=due)
        pick = select_next(
            candidates, state, PREREQS, now, kp_params=model.kp_params, config=SelectionConfig(), rng=rng
        )
        assert pick is not None
        key = str(pick.item_id)
        kp = world.item_kp[key]
        truth = world.true_kp[kp]
        p_true = predict_correct(1.0 if known[kp] else 0.0, truth, world.true_items[key])
        correct = rng.random() < p_true
        if not known[kp] and rng.random() < truth.learn:
            known[kp] = True
        _, p_ours = predict_item(Candidate(key, (kp,), model.items[key]), ours, model.kp_params)
        p_oracle = predict_correct(oracle[kp], truth, world.true_items[key])
        preds.append(p_ours)
        oracle_preds.append(p_oracle)
        answers.append(correct)
        picks.append((pick.predicted_p_correct, correct))
        model.observations.append((key, kp, ours[kp], correct))
        ours[kp] = update_p_known_for_item(ours[kp], correct, model.kp_params[kp], model.items[key])
        oracle[kp] = update_p_known_for_item(oracle[kp], correct, truth, world.true_items[key])
        if online_items:
            model.items[key] = online_item_update(model.items[key], p_ours, correct)
        entry = on_attempt(book.get(key), correct, now)
        if entry is not None:
            book[key] = entry
        recent.append(key)
        seqs[kp].append(correct)
        keys[kp].append(key)
        now += timedelta(minutes=1)
    for kp, seq in seqs.items():
        model.sequences.setdefault(kp, []).append(seq)
        model.item_keys.setdefault(kp, []).append(keys[kp])
    return preds, oracle_preds, answers, picks


def calibration_error(picks: list[tuple[float, bool]], bins: int = 10) -> float:
    """Expected calibration error: mean |predicted - observed| over equal-count bins of the prediction."""
    ordered = sorted(picks)
    chunks = np.array_split(np.arange(len(ordered)), bins)
    total = 0.0
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        pred = float(np.mean([ordered[i][0] for i in chunk]))
        obs = float(np.mean([ordered[i][1] for i in chunk]))
        total += abs(pred - obs) * len(chunk)
    return total / len(ordered)


def run_memory(world: World, rng: random.Random, learners: int, length: int) -> Outcome:
    """Both cohorts on the pure functions alone (fast: for quick checks and many seeds)."""
    model = Model(
        kp_params=dict.fromkeys(PREREQS, DEFAULT_BKT_PARAMS),
        items={k: ItemParams() for k in world.true_items},
    )
    out = Outcome()
    for cohort in (0, 1):
        if cohort == 1:
            fits = {
                kp: fit_bkt(
                    model.sequences[kp],
                    items=[[model.items[k] for k in ks] for ks in model.item_keys[kp]],
                    min_observations=50,
                )
                for kp in PREREQS
            }
            out.fitted = {kp: f.params for kp, f in fits.items()}
            # Recalibrate item difficulty: replay each learner's history with the fitted BKT parameters.
            replay: list[ItemObservation] = []
            p_state: dict[str, float] = {}
            for n, (key, kp, _p, correct) in enumerate(model.observations):
                if n % length == 0:
                    p_state = {k: out.fitted[k].prior for k in PREREQS}
                replay.append(ItemObservation(key, p_state[kp], out.fitted[kp], correct))
                p_state[kp] = update_p_known_for_item(p_state[kp], correct, out.fitted[kp], model.items[key])
            recal = recalibrate_items(replay, min_attempts_for_discrimination=10**9)
            model.kp_params = dict(out.fitted)
            model.items = {k: recal.get(k, v) for k, v in model.items.items()}  # type: ignore[misc]
        for _ in range(learners):
            preds, oracle, answers, _picks = run_learner(world, model, rng, length, True)
            out.preds[cohort].extend(preds)
            out.oracle[cohort].extend(oracle)
            out.answers[cohort].extend(answers)
    out.item_difficulty = {k: v.difficulty for k, v in model.items.items()}
    return out


# --- database backend: the real services on PostgreSQL ----------------------------------------------


@dataclass
class DbRun:
    preds: list[list[float]] = field(default_factory=lambda: [[], []])
    oracle: list[list[float]] = field(default_factory=lambda: [[], []])
    answers: list[list[bool]] = field(default_factory=lambda: [[], []])
    fitted: dict[str, BKTParams] = field(default_factory=dict)
    item_difficulty: dict[str, float] = field(default_factory=dict)
    seconds_per_attempt: float = 0.0


def _server() -> tuple[str, object | None]:
    from tutor.db.urls import libpq_url

    url = os.environ.get("TUTOR_TEST_DATABASE_URL") or os.environ.get("TUTOR_DATABASE_URL")
    if url:
        return libpq_url(url), None
    from tutor.db.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="tutor-sim-pg-", dir="/tmp")) / "pgdata")
    return server.start(), server


async def _run(
    url: str,
    prereqs: dict[str, list[str]],
    true_kp: dict[str, BKTParams],
    true_items: dict[str, ItemParams],
    item_kp: dict[str, str],
    learners: int,
    length: int,
    rng: random.Random,
) -> DbRun:
    import time

    from sqlalchemy import text

    from tutor.attempts.schemas import AttemptIn
    from tutor.attempts.services import record_attempt
    from tutor.auth.principal import Principal
    from tutor.db.engine import make_engine, make_session_maker
    from tutor.practice.fitting import fit_mastery, recalibrate_item_bank
    from tutor.practice.next_exercise import next_exercise
    from tutor.settings import Settings

    settings = Settings.from_env(
        {
            "TUTOR_DATABASE_URL": url,
            "TUTOR_JWT_SECRET": "sim-" + "x" * 40,
            "TUTOR_DATA_DIR": tempfile.mkdtemp(prefix="tutor-sim-data-"),
        }
    )
    engine = make_engine(url, pool_size=2)
    maker = make_session_maker(engine)
    school = uuid.uuid4()
    key_to_id: dict[str, uuid.UUID] = {}
    async with maker() as session, session.begin():
        await session.execute(
            text("INSERT INTO schools (id, name, created_at, updated_at) VALUES (:id, 'Sim', now(), now())"),
            {"id": school},
        )
        for kp in prereqs:
            await session.execute(
                text("INSERT INTO knowledge_points (code, name_zh, name_en) VALUES (:c, :c, :c)"), {"c": kp}
            )
        for kp, requires in prereqs.items():
            for pre in requires:
                await session.execute(
                    text("INSERT INTO knowledge_point_prerequisites (code, requires) VALUES (:c, :r)"),
                    {"c": kp, "r": pre},
                )
        for key, kp in item_kp.items():
            item_id = uuid.uuid4()
            key_to_id[key] = item_id
            await session.execute(
                text(
                    "INSERT INTO items (id, code, stem_latex, answer, answer_kind, difficulty, "
                    "discrimination, difficulty_prior, calibration_attempts, origin, verified, "
                    "created_at, updated_at) VALUES "
                    "(:id, :code, 'x = 5', '5', 'number', 0, 1, 0, 0, 'seed', true, now(), now())"
                ),
                {"id": item_id, "code": key},
            )
            await session.execute(
                text("INSERT INTO item_knowledge_points (item_id, kp_code) VALUES (:i, :k)"),
                {"i": item_id, "k": kp},
            )
    id_to_key = {v: k for k, v in key_to_id.items()}
    out = DbRun()
    n_attempts, attempt_seconds = 0, 0.0
    for cohort in (0, 1):
        if cohort == 1:
            async with maker() as session, session.begin():
                fits = await fit_mastery(session, min_observations=50)
                out.fitted = {f.kp_code: f.params for f in fits if f.params is not None}
            async with maker() as session, session.begin():
                await recalibrate_item_bank(session)
        for n in range(learners):
            learner = uuid.uuid4()
            async with maker() as session, session.begin():
                await session.execute(
                    text(
                        "INSERT INTO users (id, school_id, role, username, display_name, is_active, "
                        "created_at, updated_at) VALUES (:id, :s, 'student', :u, :u, true, now(), now())"
                    ),
                    {"id": learner, "s": school, "u": f"sim-{cohort}-{n}-{learner.hex[:6]}"},
                )
            principal = Principal(id=learner, role="student", school_id=school)
            known = {kp: rng.random() < p.prior for kp, p in true_kp.items()}
            oracle_p = {kp: true_kp[kp].prior for kp in prereqs}
            for _ in range(length):
                async with maker() as session, session.begin():
                    pick = await next_exercise(session, principal, settings, rng=rng)
                key = id_to_key[pick.item.id]
                kp = item_kp[key]
                truth = true_kp[kp]
                correct = rng.random() < predict_correct(1.0 if known[kp] else 0.0, truth, true_items[key])
                if not known[kp] and rng.random() < truth.learn:
                    known[kp] = True
                out.preds[cohort].append(pick.reason.predicted_p_correct)
                out.oracle[cohort].append(predict_correct(oracle_p[kp], truth, true_items[key]))
                out.answers[cohort].append(correct)
                oracle_p[kp] = update_p_known_for_item(oracle_p[kp], correct, truth, true_items[key])
                started = time.perf_counter()
                async with maker() as session, session.begin():
                    await record_attempt(
                        session,
                        principal,
                        AttemptIn(item_id=pick.item.id, answer="5" if correct else "4"),
                        idempotency_key=None,
                        settings=settings,
                    )
                attempt_seconds += time.perf_counter() - started
                n_attempts += 1
    async with maker() as session:
        for item_id, b in (await session.execute(text("SELECT id, difficulty FROM items"))).tuples():
            out.item_difficulty[id_to_key[item_id]] = float(b)
    await engine.dispose()
    out.seconds_per_attempt = attempt_seconds / max(n_attempts, 1)
    return out


def run_db(
    prereqs: dict[str, list[str]],
    true_kp: dict[str, BKTParams],
    true_items: dict[str, ItemParams],
    item_kp: dict[str, str],
    learners: int,
    length: int,
    rng: random.Random,
) -> DbRun:
    import asyncio

    from tutor.db.migrate import upgrade

    server_url, server = _server()
    name = f"tutor_sim_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    from sqlalchemy.engine import make_url

    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        return asyncio.run(_run(url, prereqs, true_kp, true_items, item_kp, learners, length, rng))
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if server is not None:
            server.stop()  # type: ignore[attr-defined]


def _auc(pred: list[float], y: list[bool]) -> float:
    return float(roc_auc_score(np.array(y, dtype=int), np.array(pred)))


def _mae(params: dict[str, BKTParams], world: World) -> dict[str, float]:
    return {
        name: float(
            np.mean([abs(getattr(params[kp], name) - getattr(world.true_kp[kp], name)) for kp in params])
        )
        for name in ("prior", "learn", "guess", "slip")
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--backend",
        choices=("db", "memory"),
        default="db",
        help="db: real services on PostgreSQL (TUTOR_TEST_DATABASE_URL or embedded); memory: pure functions",
    )
    parser.add_argument("--learners", type=int, default=None, help="learners per cohort (db 80, memory 400)")
    parser.add_argument("--length", type=int, default=None, help="answers per learner (db 40, memory 60)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    learners = args.learners or (80 if args.backend == "db" else 400)
    length = args.length or (40 if args.backend == "db" else 60)
    rng = random.Random(args.seed)
    world = make_world(rng)
    started = time.perf_counter()
    if args.backend == "db":
        db = run_db(PREREQS, world.true_kp, world.true_items, world.item_kp, learners, length, rng)
        out = Outcome(db.preds, db.oracle, db.answers, db.fitted, db.item_difficulty)
        extra = {"seconds_per_recorded_attempt": db.seconds_per_attempt}
    else:
        out = run_memory(world, rng, learners, length)
        extra = {}

    keys = list(world.true_items)
    true_b = np.array([world.true_items[k].difficulty for k in keys])
    est_b = np.array([out.item_difficulty.get(k, 0.0) for k in keys])
    auc = {}
    for cohort, name in ((0, "cohort1_default_params_online_items"), (1, "cohort2_fitted_params")):
        ours, oracle = (
            _auc(out.preds[cohort], out.answers[cohort]),
            _auc(out.oracle[cohort], out.answers[cohort]),
        )
        auc[name] = {
            "ours": ours,
            "oracle": oracle,
            "ratio": ours / oracle,
            "answers": len(out.answers[cohort]),
        }
    picks = list(zip(out.preds[1], out.answers[1], strict=True))
    results: dict[str, object] = {
        "backend": args.backend,
        "setup": {
            "learners_per_cohort": learners,
            "answers_per_learner": length,
            "knowledge_points": len(PREREQS),
            "items": len(world.true_items),
            "seed": args.seed,
        },
        "auc": auc,
        "bkt_fit": {
            "mean_abs_error_fitted": _mae(out.fitted, world),
            "mean_abs_error_default_params": _mae(dict.fromkeys(out.fitted, DEFAULT_BKT_PARAMS), world),
            "per_kp": {
                kp: {"true": asdict(world.true_kp[kp]), "fitted": asdict(out.fitted[kp])} for kp in out.fitted
            },
        },
        "item_difficulty": {
            "correlation_true_vs_estimated": float(np.corrcoef(true_b, est_b)[0, 1]),
            "mean_abs_error": float(np.mean(np.abs(true_b - est_b))),
            "mean_abs_error_of_prior_zero": float(np.mean(np.abs(true_b))),
        },
        "picks_cohort2": {
            "expected_calibration_error": calibration_error(picks),
            "mean_abs_predicted_minus_observed": abs(
                float(np.mean([p for p, _ in picks])) - float(np.mean([c for _, c in picks]))
            ),
            "mean_predicted": float(np.mean([p for p, _ in picks])),
            "observed_accuracy": float(np.mean([c for _, c in picks])),
            "target": SelectionConfig().target,
        },
        "seconds": time.perf_counter() - started,
        **extra,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    if not math.isfinite(auc["cohort2_fitted_params"]["ratio"]):
        raise SystemExit("AUC is undefined (all answers identical?)")
    return results


if __name__ == "__main__":
    main()
