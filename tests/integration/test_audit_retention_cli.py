"""``tutor retention run [--dry-run]`` and ``tutor audit verify`` against a real database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import World, create_item, create_kp
from tutor.audit import kinds
from tutor.audit.cli import audit
from tutor.db.models import Attempt
from tutor.db.models.audit import AuditEvent
from tutor.privacy.cli import retention
from tutor.settings import get_settings


async def invoke(command: object, args: list[str], db_url: str, tmp_path: Path) -> Result:
    """Run a command as ``tutor`` would, with this test's database (settings are read once per process)."""
    env = {"TUTOR_DATABASE_URL": db_url, "TUTOR_DATA_DIR": str(tmp_path), "TUTOR_JWT_SECRET": "x" * 40}
    get_settings.cache_clear()
    try:
        return await asyncio.to_thread(CliRunner().invoke, command, args, env=env)  # type: ignore[arg-type]
    finally:
        get_settings.cache_clear()


async def test_retention_dry_run_then_run(
    session: AsyncSession, world: World, db_url: str, tmp_path: Path
) -> None:
    await create_kp(session, "lin.one_step")
    item = await create_item(session, ["lin.one_step"])
    old = datetime.now(UTC) - timedelta(days=800)
    kid = world.students[0]
    session.add(
        Attempt(learner_id=kid.id, item_id=item.id, submitted_answer="1", is_correct=False, created_at=old)
    )
    session.add(Attempt(learner_id=kid.id, item_id=item.id, submitted_answer="5", is_correct=True))
    await session.commit()

    preview = await invoke(retention, ["run", "--dry-run"], db_url, tmp_path)
    assert preview.exit_code == 0, preview.output
    assert "attempts: would delete 1 rows older than 730 days" in preview.output
    assert await session.scalar(select(func.count()).select_from(Attempt)) == 2

    done = await invoke(retention, ["run"], db_url, tmp_path)
    assert done.exit_code == 0, done.output
    assert "attempts: deleted 1 rows" in done.output
    remaining = (await session.scalars(select(Attempt.submitted_answer))).all()
    assert remaining == ["5"]
    event = await session.scalar(select(AuditEvent).where(AuditEvent.kind == kinds.RETENTION_RUN))
    assert event is not None and event.payload == {"deleted": {"attempts": 1}}


async def test_retention_rejects_a_malformed_setting(db_url: str, tmp_path: Path) -> None:
    env = {"TUTOR_DATABASE_URL": db_url, "TUTOR_RETENTION_DAYS": "attempts:30"}
    result = await asyncio.to_thread(CliRunner().invoke, retention, ["run", "--dry-run"], env=env)
    assert result.exit_code != 0 and "table=days" in result.output


async def test_audit_verify_command(session: AsyncSession, world: World, db_url: str, tmp_path: Path) -> None:
    ok = await invoke(audit, ["verify"], db_url, tmp_path)
    assert ok.exit_code == 0 and "no events" in ok.output
    from tutor.audit.events import record_event

    for n in range(4):
        await record_event(
            session, kind=kinds.EXPORT, actor_id=None, actor_role=None, learner_id=None, payload={"n": n}
        )
    await session.commit()
    ok = await invoke(audit, ["verify"], db_url, tmp_path)
    assert ok.exit_code == 0 and "4 events verified" in ok.output
    await session.execute(text("SET LOCAL session_replication_role = replica"))
    await session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    await session.commit()
    broken = await invoke(audit, ["verify"], db_url, tmp_path)
    assert broken.exit_code == 1 and "BROKEN at event 3" in broken.output
    later = await invoke(audit, ["verify", "--from", "4"], db_url, tmp_path)
    assert later.exit_code == 0, later.output
