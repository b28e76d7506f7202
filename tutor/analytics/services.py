"""Class analytics from the aggregates the attempt transaction maintains (never a scan of attempts).

Every query is bounded by the class's enrolments (a few dozen learners) and reads only small
per-learner aggregate rows, so the cost does not grow with the number of attempts stored.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.analytics.schemas import (
    AlertOut,
    AlertsOut,
    CommonWrongAnswer,
    DriftingItemOut,
    MasteryCell,
    MasteryMatrixOut,
    MasteryRow,
    ProgressBucket,
    ProgressOut,
    WeakPointOut,
    WeakPointsOut,
)
from tutor.learning.bkt import is_mastered
from tutor.learning.config import LearningConfig
from tutor.practice.params import kp_params, params_or_default

__all__ = ["alerts", "drifting_items", "mastery_matrix", "progress", "weak_points"]


CONSENTING_ENROLMENTS = (
    "(SELECT en.class_id, en.learner_id FROM enrolments en WHERE EXISTS (SELECT 1 FROM learner_consents lc "
    "WHERE lc.learner_id = en.learner_id AND lc.purpose = 'analytics' AND lc.revoked_at IS NULL))"
)
"""Analytics only ever sees learners whose guardian consented to analytics (the others are left out)."""


async def mastery_matrix(session: AsyncSession, class_id: UUID, config: LearningConfig) -> MasteryMatrixOut:
    kps = list((await session.execute(text("SELECT code FROM knowledge_points ORDER BY code"))).scalars())
    column = {code: i for i, code in enumerate(kps)}
    learners = (
        await session.execute(
            text(
                "SELECT u.id, u.display_name FROM "
                + CONSENTING_ENROLMENTS
                + " e JOIN users u ON u.id = e.learner_id "
                "WHERE e.class_id = :cid ORDER BY u.display_name, u.id"
            ),
            {"cid": class_id},
        )
    ).all()
    rows = (
        await session.execute(
            text(
                "SELECT m.learner_id, m.kp_code, m.p_known, m.n_observations FROM mastery m "
                "JOIN " + CONSENTING_ENROLMENTS + " e ON e.learner_id = m.learner_id AND e.class_id = :cid"
            ),
            {"cid": class_id},
        )
    ).all()
    cells: dict[UUID, list[MasteryCell | None]] = {lid: [None] * len(kps) for lid, _ in learners}
    fitted = await kp_params(session)  # mastered is judged against each point's forgetting ceiling
    for r in rows:
        learner_cells = cells.get(r[0])
        if learner_cells is None or r[1] not in column:
            continue
        learner_cells[column[r[1]]] = MasteryCell(
            p_known=round(r[2], 4),
            n_observations=r[3],
            mastered=is_mastered(r[2], config.mastery_threshold, params_or_default(fitted, r[1])[0]),
        )
    return MasteryMatrixOut(
        class_id=class_id,
        knowledge_points=kps,
        mastery_threshold=config.mastery_threshold,
        learners=[
            MasteryRow(
                learner_id=lid,
                display_name=name,
                cells=cells[lid],
                mastered_count=sum(1 for c in cells[lid] if c is not None and c.mastered),
            )
            for lid, name in learners
        ],
    )


async def weak_points(
    session: AsyncSession, class_id: UUID, config: LearningConfig, *, limit: int
) -> WeakPointsOut:
    class_size = int(
        await session.scalar(
            text("SELECT count(*) FROM " + CONSENTING_ENROLMENTS + " ce WHERE class_id = :cid"),
            {"cid": class_id},
        )
        or 0
    )
    forgets = {code: p.forget for code, (p, _) in (await kp_params(session)).items()}
    rows = (
        await session.execute(
            text(
                "SELECT m.kp_code, kp.name_zh, kp.name_en, count(*) AS practised, "
                # mastered as `is_mastered` judges it: P(known) against the point's forgetting ceiling
                "count(*) FILTER (WHERE m.p_known >= :thr * (1 - coalesce(f.forget, 0))) AS mastered, "
                "sum(m.n_observations) AS attempts, sum(m.n_correct) AS correct "
                "FROM mastery m JOIN "
                + CONSENTING_ENROLMENTS
                + " e ON e.learner_id = m.learner_id AND e.class_id = :cid "
                "JOIN knowledge_points kp ON kp.code = m.kp_code "
                "LEFT JOIN unnest(CAST(:f_codes AS varchar[]), CAST(:f_forgets AS float8[]))"
                " AS f(code, forget) ON f.code = m.kp_code "
                "GROUP BY m.kp_code, kp.name_zh, kp.name_en"
            ),
            {
                "cid": class_id,
                "thr": config.mastery_threshold,
                "f_codes": list(forgets),
                "f_forgets": list(forgets.values()),
            },
        )
    ).all()
    scored = []
    for code, name_zh, name_en, practised, mastered, attempts, correct in rows:
        share = (class_size - mastered) / class_size if class_size else 0.0
        error = 1.0 - correct / attempts if attempts else 0.0
        scored.append((share, error, code, name_zh, name_en, practised, attempts))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
    top = scored[:limit]
    wrong: dict[str, list[CommonWrongAnswer]] = defaultdict(list)
    if top:
        answers = await session.execute(
            text(
                "SELECT kp_code, item_id, answer, count FROM ("
                " SELECT kp_code, item_id, answer, count,"
                "  row_number() OVER (PARTITION BY kp_code ORDER BY count DESC, answer, item_id) AS rank"
                " FROM (SELECT t.kp_code, t.item_id, t.answer, sum(t.count) AS count"
                "  FROM class_wrong_answer_tallies t JOIN "
                + CONSENTING_ENROLMENTS
                + " ce ON ce.learner_id = t.learner_id AND ce.class_id = t.class_id"
                "  WHERE t.class_id = :cid AND t.kp_code = ANY(:kps) GROUP BY 1, 2, 3) summed"
                ") ranked WHERE rank <= 3 ORDER BY kp_code, rank"
            ),
            {"cid": class_id, "kps": [t[2] for t in top]},
        )
        for code, item_id, answer, n in answers.tuples():
            wrong[code].append(CommonWrongAnswer(item_id=item_id, answer=answer, count=int(n)))
    return WeakPointsOut(
        class_id=class_id,
        class_size=class_size,
        points=[
            WeakPointOut(
                knowledge_point=code,
                name_zh=name_zh,
                name_en=name_en,
                share_not_mastered=round(share, 4),
                learners_practised=int(practised),
                attempts=int(attempts),
                error_rate=round(error, 4),
                common_wrong_answers=wrong.get(code, []),
            )
            for share, error, code, name_zh, name_en, practised, attempts in top
        ],
    )


async def progress(
    session: AsyncSession, class_id: UUID, *, start: date, end: date, bucket: Literal["day", "week"]
) -> ProgressOut:
    act_rows = await session.execute(
        text(
            "SELECT date_trunc(:bucket, a.day)::date AS b, sum(a.attempts), sum(a.correct) "
            "FROM learner_daily_activity a JOIN "
            + CONSENTING_ENROLMENTS
            + " e ON e.learner_id = a.learner_id "
            "AND e.class_id = :cid WHERE a.day BETWEEN :start AND :end GROUP BY b"
        ),
        {"cid": class_id, "bucket": bucket, "start": start, "end": end},
    )
    acts = {b: (int(n), int(c)) for b, n, c in act_rows.tuples()}
    mastered_rows = await session.execute(
        text(
            "SELECT date_trunc(:bucket, s.mastered_at AT TIME ZONE 'UTC')::date AS b, count(*) "
            "FROM learner_kp_stats s JOIN "
            + CONSENTING_ENROLMENTS
            + " e ON e.learner_id = s.learner_id AND e.class_id = :cid "
            "WHERE s.mastered_at IS NOT NULL AND s.mastered_at < :end_ts GROUP BY b"
        ),
        {
            "cid": class_id,
            "bucket": bucket,
            "end_ts": datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC),
        },
    )
    newly = {b: int(n) for b, n in mastered_rows.tuples()}
    first = start - timedelta(days=start.weekday()) if bucket == "week" else start
    step = timedelta(days=7 if bucket == "week" else 1)
    running = sum(n for b, n in newly.items() if b < first)
    buckets = []
    current = first
    while current <= end:
        attempts, correct = acts.get(current, (0, 0))
        new = newly.get(current, 0)
        running += new
        buckets.append(
            ProgressBucket(
                start=current,
                attempts=attempts,
                correct=correct,
                accuracy=round(correct / attempts, 4) if attempts else None,
                newly_mastered=new,
                mastered_total=running,
            )
        )
        current += step
    return ProgressOut(class_id=class_id, bucket=bucket, from_date=start, to_date=end, buckets=buckets)


async def alerts(session: AsyncSession, class_id: UUID, config: LearningConfig) -> AlertsOut:
    now = datetime.now(UTC)
    learners: dict[UUID, str] = dict(
        (
            await session.execute(
                text(
                    "SELECT u.id, u.display_name FROM "
                    + CONSENTING_ENROLMENTS
                    + " e JOIN users u ON u.id = e.learner_id "
                    "WHERE e.class_id = :cid"
                ),
                {"cid": class_id},
            )
        )
        .tuples()
        .all()
    )
    out: list[AlertOut] = []
    stuck = await session.execute(
        text(
            "SELECT s.learner_id, s.kp_code, s.wrong_streak FROM learner_kp_stats s "
            "JOIN " + CONSENTING_ENROLMENTS + " e ON e.learner_id = s.learner_id AND e.class_id = :cid "
            "WHERE s.wrong_streak >= :streak ORDER BY s.wrong_streak DESC, s.kp_code"
        ),
        {"cid": class_id, "streak": config.alert_stuck_streak},
    )
    for learner_id, kp, streak in stuck.tuples():
        out.append(
            AlertOut(
                kind="stuck",
                learner_id=learner_id,
                display_name=learners.get(learner_id, ""),
                knowledge_point=kp,
                wrong_streak=streak,
                detail=f"{streak} wrong answers in a row on {kp}.",
            )
        )
    recent_from = (now - timedelta(days=7)).date()
    before_from = (now - timedelta(days=14)).date()
    activity = await session.execute(
        text(
            "SELECT a.learner_id, max(a.last_attempt_at), "
            "sum(a.attempts) FILTER (WHERE a.day >= :recent), "
            "sum(a.correct) FILTER (WHERE a.day >= :recent), "
            "sum(a.attempts) FILTER (WHERE a.day >= :before AND a.day < :recent), "
            "sum(a.correct) FILTER (WHERE a.day >= :before AND a.day < :recent) "
            "FROM learner_daily_activity a "
            "JOIN " + CONSENTING_ENROLMENTS + " e ON e.learner_id = a.learner_id AND e.class_id = :cid "
            "GROUP BY a.learner_id"
        ),
        {"cid": class_id, "recent": recent_from, "before": before_from},
    )
    seen: dict[UUID, datetime] = {}
    inactive_before = now - timedelta(days=config.alert_inactive_days)
    for learner_id, last_at, n_recent, c_recent, n_before, c_before in activity.tuples():
        seen[learner_id] = last_at
        if n_recent and n_before and n_recent >= 5 and n_before >= 5:
            acc_recent, acc_before = c_recent / n_recent, c_before / n_before
            if acc_before - acc_recent >= config.alert_decline_drop:
                out.append(
                    AlertOut(
                        kind="declining",
                        learner_id=learner_id,
                        display_name=learners.get(learner_id, ""),
                        accuracy_before=round(acc_before, 4),
                        accuracy_recent=round(acc_recent, 4),
                        detail=f"Accuracy fell from {acc_before:.0%} to {acc_recent:.0%} over the last week.",
                    )
                )
    for learner_id, name in sorted(learners.items(), key=lambda kv: kv[1]):
        last = seen.get(learner_id)
        if last is None or last < inactive_before:
            out.append(
                AlertOut(
                    kind="inactive",
                    learner_id=learner_id,
                    display_name=name,
                    last_attempt_at=last,
                    detail=(
                        "No attempts yet." if last is None else f"No attempts for {(now - last).days} days."
                    ),
                )
            )
    return AlertsOut(class_id=class_id, generated_at=now, alerts=out)


async def drifting_items(session: AsyncSession, school_id: UUID, *, limit: int) -> list[DriftingItemOut]:
    """Items of the shared bank or this school flagged by the drift check, the strongest drift first."""
    rows = await session.execute(
        text(
            "SELECT i.id, i.difficulty, i.calibration_attempts, "
            "c.drift_residual / sqrt(c.drift_variance) AS z, "
            "c.drift_attempts, array(SELECT kp_code FROM item_knowledge_points k WHERE k.item_id = i.id "
            "ORDER BY kp_code) FROM item_calibration c JOIN items i ON i.id = c.item_id "
            "WHERE c.drift_flagged AND c.drift_variance > 0 "
            "AND (i.school_id IS NULL OR i.school_id = :school) "
            "ORDER BY abs(c.drift_residual / sqrt(c.drift_variance)) DESC, i.id LIMIT :limit"
        ),
        {"school": school_id, "limit": limit},
    )
    return [
        DriftingItemOut(
            item_id=item_id,
            knowledge_points=list(kps),
            difficulty=round(b, 4),
            calibration_attempts=n,
            drift_z=round(z, 3),
            drift_attempts=m,
        )
        for item_id, b, n, z, m, kps in rows.tuples()
    ]
