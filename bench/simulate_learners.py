"""Simulated learners in worlds the model does *not* assume: how close to an oracle is each learner model?

Worlds (several seeds each; 6 knowledge points with prerequisites, 12 items each with a true
difficulty on the logit scale):

* ``classic``: the textbook BKT world (no forgetting, every learner alike);
* ``forgetting``: BKT with forgetting per attempt, sessions of 10 answers 1-14 days apart and
  knowledge lost with time between sessions (a 20-day half-life);
* ``ability``: the forgetting world plus learner ability differences (theta ~ N(0, 0.8) logits).

Cohort 1 practises with the default parameters (a fresh deployment); each model is fitted on its
answers (`tutor.learning.bkt_em`); cohort 2 (new learners) practises with picks from the full model,
and every model predicts every cohort-2 answer before it is given (same answers for all). Reported per
world, averaged over seeds: AUC, RMSE and log-loss of

* ``oracle``: the true parameters, ability and time forgetting (the ceiling the data allow);
* ``bkt``: BKT without forgetting (EM, item-aware);
* ``bkt_forget``: + forgetting per attempt, + the 30-day mastery decay with time;
* ``bkt_forget_ability``: + the online learner ability (Elo);
* ``before`` (first seed only: it is slow): the previous fitter (hmmlearn + L-BFGS refinement),
  plain BKT,

with a flag wherever a model is worse than the simpler one before it; parameter recovery (mean
absolute error of fitted vs true parameters, and of the defaults); the fit time of the previous
fitter vs the EM on the same data; and, for the picks, the share whose true P(correct) is within
0.1 of the 0.7 target and the immediate-repeat rate. Item difficulties are known to every model
(item calibration is measured by ``bench/simulate_learners_db.py``).

Usage: ``python bench/simulate_learners.py [--seeds 3] [--learners 200] [--length 60]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sklearn.metrics import log_loss, roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from tutor.learning.ability import AbilityConfig, for_learner, update_ability
from tutor.learning.bkt import DEFAULT_BKT_PARAMS, BKTParams, update_p_known
from tutor.learning.bkt_fit import BKTFitError, fit_bkt
from tutor.learning.decay import decay_since
from tutor.learning.irt import ItemParams, item_adjusted, predict_correct
from tutor.learning.selection import Candidate, LearnerState, SelectionConfig, select_next
from tutor.practice.fitting import fit_and_review

RESULTS = Path(__file__).resolve().parent / "results" / "simulate_learners.json"
PREREQS: dict[str, list[str]] = {
    "num.integers": [],
    "num.integer_muldiv": ["num.integers"],
    "lin.one_step": ["num.integer_muldiv"],
    "lin.two_step": ["lin.one_step"],
    "expr.evaluate": ["num.integer_muldiv"],
    "lin.word_problems": ["lin.two_step"],
}
ITEMS_PER_KP = 12
SESSION = 10
TARGET = 0.7
WORLDS = ("classic", "forgetting", "ability")
MODELS = ("bkt", "bkt_forget", "bkt_forget_ability")
PARAMS = ("prior", "learn", "guess", "slip", "forget")
MIN_ANSWERS = 50


@dataclass
class World:
    kind: str
    kp: dict[str, BKTParams]
    items: dict[str, ItemParams]
    item_kp: dict[str, str]
    ability_sd: float
    time_half_life: float  # days; 0 = no forgetting with time


def make_world(kind: str, rng: random.Random) -> World:
    forgets = kind != "classic"
    kp = {
        k: BKTParams(
            prior=rng.uniform(0.1, 0.35),
            learn=rng.uniform(0.08, 0.25),
            guess=rng.uniform(0.1, 0.3),
            slip=rng.uniform(0.05, 0.15),
            forget=rng.uniform(0.03, 0.1) if forgets else 0.0,
        )
        for k in PREREQS
    }
    items, item_kp = {}, {}
    for k in PREREQS:
        bs = [rng.gauss(0.0, 0.9) for _ in range(ITEMS_PER_KP)]
        centre = sum(bs) / len(bs)
        for i, b in enumerate(bs):
            items[f"{k}#{i}"] = ItemParams(difficulty=b - centre)
            item_kp[f"{k}#{i}"] = k
    return World(kind, kp, items, item_kp, 0.8 if kind == "ability" else 0.0, 20.0 if forgets else 0.0)


@dataclass
class Tracker:
    """One model's online belief about one learner."""

    params: dict[str, BKTParams]
    items: dict[str, ItemParams]
    item_kp: dict[str, str]
    decay: bool = False
    ability: bool = False
    oracle_theta: float | None = None
    oracle_half_life: float = 0.0
    p: dict[str, float] = field(default_factory=dict)
    last: dict[str, datetime] = field(default_factory=dict)
    theta: float = 0.0
    n: int = 0

    def belief(self, kp: str, now: datetime) -> float:
        p = self.p.get(kp, self.params[kp].prior)
        last = self.last.get(kp)
        if last is None:
            return p
        if self.oracle_half_life > 0:  # the true time forgetting: known -> unknown only
            return p * 0.5 ** ((now - last).total_seconds() / 86400.0 / self.oracle_half_life)
        return decay_since(p, last, now, self.params[kp]) if self.decay else p

    def item(self, key: str) -> ItemParams:
        theta = self.oracle_theta if self.oracle_theta is not None else (self.theta if self.ability else 0.0)
        return for_learner(self.items[key], theta)

    def predict(self, key: str, now: datetime) -> float:
        kp = self.item_kp[key]
        return predict_correct(self.belief(kp, now), self.params[kp], self.item(key))

    def update(self, key: str, correct: bool, now: datetime) -> None:
        kp = self.item_kp[key]
        predicted = self.predict(key, now)
        shown = item_adjusted(self.params[kp], self.item(key))
        self.p[kp] = update_p_known(self.belief(kp, now), correct, shown)
        self.last[kp] = now
        if self.ability:
            self.theta = update_ability(self.theta, self.n, predicted, correct, AbilityConfig())
        self.n += 1


@dataclass
class Log:
    preds: dict[str, list[float]] = field(default_factory=dict)
    answers: list[bool] = field(default_factory=list)
    learner: list[int] = field(default_factory=list)
    pick_true_p: list[float] = field(default_factory=list)
    repeats: int = 0
    picks: int = 0
    served: set[str] = field(default_factory=set)
    seqs: dict[str, list[list[bool]]] = field(default_factory=dict)
    seq_items: dict[str, list[list[ItemParams]]] = field(default_factory=dict)
    seq_gaps: dict[str, list[list[float]]] = field(default_factory=dict)


def run_cohort(
    world: World,
    rng: random.Random,
    learners: int,
    length: int,
    driver: str,
    trackers: dict[str, dict[str, BKTParams] | None],
    options: dict[str, dict[str, bool]],
) -> Log:
    """``trackers``: model name -> parameters (None: the oracle). ``driver`` picks the items."""
    log = Log(preds={name: [] for name in trackers})
    cfg = SelectionConfig(target=TARGET, review_share=0.0)
    for n in range(learners):
        theta = rng.gauss(0.0, world.ability_sd) if world.ability_sd else 0.0
        known = {k: rng.random() < p.prior for k, p in world.kp.items()}
        models = {
            name: (
                Tracker(
                    world.kp,
                    world.items,
                    world.item_kp,
                    oracle_theta=theta,
                    oracle_half_life=world.time_half_life,
                )
                if params is None
                else Tracker(params, world.items, world.item_kp, **options.get(name, {}))
            )
            for name, params in trackers.items()
        }
        now = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
        history: list[str] = []
        seqs: dict[str, list[bool]] = {k: [] for k in PREREQS}
        its: dict[str, list[ItemParams]] = {k: [] for k in PREREQS}
        gaps: dict[str, list[float]] = {k: [] for k in PREREQS}
        last_on: dict[str, datetime] = {}
        streak: dict[str, int] = {}
        for step in range(length):
            if step and step % SESSION == 0:
                gap = rng.uniform(1.0, 14.0)
                now += timedelta(days=gap)
                if world.time_half_life:
                    for k in known:
                        if known[k] and rng.random() > 0.5 ** (gap / world.time_half_life):
                            known[k] = False
            lead = models[driver]
            candidates = [Candidate(key, (world.item_kp[key],), lead.item(key)) for key in world.items]
            last = history[-1] if history else None
            state = LearnerState(
                p_known={k: lead.belief(k, now) for k in PREREQS},
                recent_items=frozenset(history[-8:]),
                last_item=last,
                last_knowledge_points=(world.item_kp[last],) if last else (),
                last_seen={key: now - timedelta(minutes=len(history) - i) for i, key in enumerate(history)},
                wrong_streak=streak,
            )
            pick = select_next(candidates, state, PREREQS, now, kp_params=lead.params, config=cfg, rng=rng)
            assert pick is not None
            key = str(pick.item_id)
            kp = world.item_kp[key]
            log.picks += 1
            log.repeats += int(key == last)
            log.served.add(key)
            truth = world.kp[kp]
            p_true = predict_correct(1.0 if known[kp] else 0.0, truth, for_learner(world.items[key], theta))
            correct = rng.random() < p_true
            known[kp] = rng.random() >= truth.forget if known[kp] else rng.random() < truth.learn
            log.pick_true_p.append(models["oracle"].predict(key, now) if "oracle" in models else p_true)
            for name, model in models.items():
                log.preds[name].append(model.predict(key, now))
                model.update(key, correct, now)
            log.answers.append(correct)
            log.learner.append(n)
            streak = {kp: 0} if correct else {kp: streak.get(kp, 0) + 1}
            history.append(key)
            seqs[kp].append(correct)
            its[kp].append(world.items[key])
            gaps[kp].append((now - last_on[kp]).total_seconds() / 86400.0 if kp in last_on else 0.0)
            last_on[kp] = now
            now += timedelta(minutes=1)
        for k in PREREQS:
            log.seqs.setdefault(k, []).append(seqs[k])
            log.seq_items.setdefault(k, []).append(its[k])
            log.seq_gaps.setdefault(k, []).append(gaps[k])
    return log


def metrics(preds: list[float], answers: list[bool]) -> dict[str, float]:
    p = np.clip(np.asarray(preds), 1e-6, 1 - 1e-6)
    y = np.asarray(answers, dtype=float)
    return {
        "auc": float(roc_auc_score(y, p)),
        "rmse": float(np.sqrt(np.mean((p - y) ** 2))),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
    }


def auc_gap_se(
    a: list[float], b: list[float], answers: list[bool], learner: list[int], rng: np.random.Generator
) -> float:
    """Bootstrap (over learners) standard error of AUC(a) - AUC(b)."""
    y = np.asarray(answers, dtype=float)
    pa, pb, who = np.asarray(a), np.asarray(b), np.asarray(learner)
    ids = np.unique(who)
    index = {i: np.flatnonzero(who == i) for i in ids}
    gaps = []
    for _ in range(100):
        rows = np.concatenate([index[i] for i in rng.choice(ids, size=len(ids))])
        if len(np.unique(y[rows])) < 2:
            continue
        gaps.append(roc_auc_score(y[rows], pa[rows]) - roc_auc_score(y[rows], pb[rows]))
    return float(np.std(gaps))


def fit_models(
    log: Log, time_old: bool
) -> tuple[dict[str, dict[str, BKTParams]], dict[str, float], dict[str, dict[str, list[str]]]]:
    """Each model fitted and reviewed as `tutor fit-mastery` does (held-out learners, plausibility):
    a fit that fails review leaves the defaults in force."""
    fitted: dict[str, dict[str, BKTParams]] = {"bkt": {}, "bkt_forget": {}, "before": {}}
    seconds = {"em_no_forgetting": 0.0, "em_forgetting": 0.0, "previous_fitter": 0.0}
    rejected: dict[str, dict[str, list[str]]] = {"bkt": {}, "bkt_forget": {}}
    for k in PREREQS:
        per_learner = list(zip(log.seqs[k], log.seq_items[k], log.seq_gaps[k], strict=True))
        per_learner = [x for x in per_learner if x[0]]
        for name, forgets in (("bkt", False), ("bkt_forget", True)):
            baseline = DEFAULT_BKT_PARAMS if forgets else replace(DEFAULT_BKT_PARAMS, half_life_days=0.0)
            t0 = time.perf_counter()
            outcome, params = fit_and_review(k, per_learner, baseline, MIN_ANSWERS, forgets=forgets)
            seconds["em_forgetting" if forgets else "em_no_forgetting"] += time.perf_counter() - t0
            if params is not None and outcome.active:
                fitted[name][k] = params
            else:
                fitted[name][k] = baseline
                rejected[name][k] = list(outcome.reasons) or [outcome.skipped or "not activated"]
        if time_old:
            t0 = time.perf_counter()
            try:
                fitted["before"][k] = fit_bkt(
                    log.seqs[k], items=log.seq_items[k], min_observations=MIN_ANSWERS
                ).params
            except BKTFitError:
                fitted["before"][k] = DEFAULT_BKT_PARAMS
            seconds["previous_fitter"] += time.perf_counter() - t0
            fitted["before"][k] = replace(fitted["before"][k], half_life_days=0.0)
    return fitted, seconds, rejected


def recovery(fitted: dict[str, BKTParams], truth: dict[str, BKTParams]) -> dict[str, float]:
    return {
        name: float(np.mean([abs(getattr(fitted[k], name) - getattr(truth[k], name)) for k in truth]))
        for name in PARAMS
    }


def run_world(kind: str, seed: int, learners: int, length: int, time_old: bool) -> dict[str, object]:
    rng = random.Random(seed * 1000 + WORLDS.index(kind))
    world = make_world(kind, rng)
    defaults = dict.fromkeys(PREREQS, DEFAULT_BKT_PARAMS)
    first = run_cohort(world, rng, learners, length, "defaults", {"defaults": defaults}, {})
    fitted, seconds, rejected = fit_models(first, time_old)
    trackers: dict[str, dict[str, BKTParams] | None] = {
        "oracle": None,
        "bkt": fitted["bkt"],
        "bkt_forget": fitted["bkt_forget"],
        "bkt_forget_ability": fitted["bkt_forget"],
    }
    options = {
        "bkt": {"decay": False},
        "bkt_forget": {"decay": True},
        "bkt_forget_ability": {"decay": True, "ability": True},
    }
    if time_old:
        trackers["before"] = fitted["before"]
    second = run_cohort(world, rng, learners, length, "bkt_forget_ability", trackers, options)
    scores = {name: metrics(second.preds[name], second.answers) for name in trackers}
    brng = np.random.default_rng(seed)
    out: dict[str, object] = {
        "scores": scores,
        "auc_gap_forget_vs_bkt": scores["bkt_forget"]["auc"] - scores["bkt"]["auc"],
        "auc_gap_forget_vs_bkt_se": auc_gap_se(
            second.preds["bkt_forget"], second.preds["bkt"], second.answers, second.learner, brng
        ),
        "recovery_mae": {
            "bkt": recovery(fitted["bkt"], world.kp),
            "bkt_forget": recovery(fitted["bkt_forget"], world.kp),
            "defaults": recovery(defaults, world.kp),
        },
        "picks": {
            "share_true_p_within_0.1_of_target": float(
                np.mean(np.abs(np.asarray(second.pick_true_p) - TARGET) <= 0.1)
            ),
            "mean_true_p": float(np.mean(second.pick_true_p)),
            "immediate_repeat_rate": second.repeats / second.picks,
            "immediate_repeat_rate_cohort1": first.repeats / first.picks,
            "share_of_items_served": len(second.served) / len(world.items),
        },
        "fit_seconds": seconds,
        "fits_not_activated": rejected,
        "fitted_half_life_days": {k: p.half_life_days for k, p in fitted["bkt_forget"].items()},
        "true_time_half_life_days": world.time_half_life,
    }
    return out


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def summarise(runs: dict[str, list[dict[str, object]]]) -> dict[str, object]:
    table: dict[str, object] = {}
    for kind, results in runs.items():
        names = list(results[0]["scores"])  # type: ignore[call-overload]
        scores = {
            name: {
                m: _mean([r["scores"][name][m] for r in results if name in r["scores"]])  # type: ignore[index]
                for m in ("auc", "rmse", "log_loss")
            }
            for name in names
        }
        flags = []
        chain = ["bkt", "bkt_forget", "bkt_forget_ability"]
        for simpler, richer in itertools.pairwise(chain):
            for m in ("auc", "rmse", "log_loss"):
                worse = (
                    scores[richer][m] < scores[simpler][m]
                    if m == "auc"
                    else scores[richer][m] > scores[simpler][m]
                )
                if worse:
                    mine, theirs = scores[richer][m], scores[simpler][m]
                    flags.append(f"{richer} {m} {mine:.4f} is worse than {simpler} {theirs:.4f}")
        best = max(chain, key=lambda n: scores[n]["auc"])
        table[kind] = {
            "scores": scores,
            "best_model": best,
            "auc_gap_to_oracle": {
                n: scores["oracle"]["auc"] - scores[n]["auc"] for n in names if n != "oracle"
            },
            "auc_gap_forget_vs_bkt": _mean([r["auc_gap_forget_vs_bkt"] for r in results]),  # type: ignore[misc]
            "auc_gap_forget_vs_bkt_se": _mean([r["auc_gap_forget_vs_bkt_se"] for r in results]),  # type: ignore[misc]
            "worse_than_simpler": flags,
            "recovery_mae": {
                model: {p: _mean([r["recovery_mae"][model][p] for r in results]) for p in PARAMS}  # type: ignore[index]
                for model in ("bkt", "bkt_forget", "defaults")
            },
            "picks": {
                key: _mean([r["picks"][key] for r in results])  # type: ignore[index]
                for key in results[0]["picks"]  # type: ignore[attr-defined]
            },
            "fit_seconds": {
                key: _mean([r["fit_seconds"][key] for r in results if r["fit_seconds"][key] > 0])  # type: ignore[index]
                for key in results[0]["fit_seconds"]  # type: ignore[attr-defined]
            },
            "seeds": len(results),
        }
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--learners", type=int, default=200, help="learners per cohort")
    parser.add_argument("--length", type=int, default=60, help="answers per learner")
    args = parser.parse_args()
    started = time.perf_counter()
    runs: dict[str, list[dict[str, object]]] = {kind: [] for kind in WORLDS}
    for kind in WORLDS:
        for seed in range(args.seeds):
            runs[kind].append(run_world(kind, seed, args.learners, args.length, time_old=seed == 0))
            print(f"{kind} seed {seed} done ({time.perf_counter() - started:.0f} s)", flush=True)
    table = summarise(runs)
    print(f"\n{'world':<11} {'model':<19} {'AUC':>7} {'RMSE':>7} {'logloss':>8}  gap to oracle")
    for kind, row in table.items():
        scores = row["scores"]  # type: ignore[index]
        for name, s in scores.items():
            gap = "" if name == "oracle" else f"{row['auc_gap_to_oracle'][name]:+.4f}"  # type: ignore[index]
            print(f"{kind:<11} {name:<19} {s['auc']:7.4f} {s['rmse']:7.4f} {s['log_loss']:8.4f}  {gap}")
        print(
            f"{'':<11} forgetting vs no-forgetting AUC {row['auc_gap_forget_vs_bkt']:+.4f} "  # type: ignore[index]
            f"(bootstrap SE {row['auc_gap_forget_vs_bkt_se']:.4f}); picks within 0.1 of target "  # type: ignore[index]
            f"{row['picks']['share_true_p_within_0.1_of_target']:.2f}; immediate repeats "  # type: ignore[index]
            f"{row['picks']['immediate_repeat_rate']:.4f}"  # type: ignore[index]
        )
        fs = row["fit_seconds"]  # type: ignore[index]
        print(
            f"{'':<11} fit seconds (6 points): previous {fs['previous_fitter']:.2f}, "
            f"EM {fs['em_no_forgetting']:.2f}, "
            f"EM+forgetting {fs['em_forgetting']:.2f}; flags: {row['worse_than_simpler'] or 'none'}"  # type: ignore[index]
        )
    out = {
        "setup": {
            "seeds": args.seeds,
            "learners_per_cohort": args.learners,
            "answers_per_learner": args.length,
            "knowledge_points": len(PREREQS),
            "items": len(PREREQS) * ITEMS_PER_KP,
            "target": TARGET,
            "previous_fitter_timed_on": "seed 0 of each world",
        },
        "worlds": table,
        "runs": runs,
        "seconds": time.perf_counter() - started,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            out, indent=2, default=lambda o: asdict(o) if hasattr(o, "__dataclass_fields__") else str(o)
        )
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
