"""``tutor audit verify [--from SEQ]``: recompute the hash chain and name the first broken link."""

from __future__ import annotations

import asyncio

import click

from tutor.audit.chain import VerifyReport

__all__ = ["audit"]


async def _verify(url: str, from_seq: int | None) -> VerifyReport:
    from tutor.audit.verify import verify_chain
    from tutor.db.engine import make_engine, make_session_maker

    engine = make_engine(url, pool_size=1)
    try:
        async with make_session_maker(engine)() as session:
            return await verify_chain(session, from_seq=from_seq)
    finally:
        await engine.dispose()


def describe(report: VerifyReport) -> str:
    """One line a person can act on."""
    if report.ok:
        if report.checked == 0:
            return "Audit chain OK: no events to check."
        return (
            f"Audit chain OK: {report.checked} events verified (seq {report.first_seq} to {report.last_seq})."
        )
    broken = report.broken
    assert broken is not None
    where = f"at event {broken.seq}" if broken.seq is not None else ""
    return f"Audit chain BROKEN {where}: {broken.reason}. {report.checked} events before it verified."


@click.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command()
@click.option("--from", "from_seq", type=click.IntRange(min=1), help="Start at this event number (seq).")
def verify(from_seq: int | None) -> None:
    """Recompute the hash chain; exit status 1 if it is broken."""
    from tutor.db.session import database_url
    from tutor.settings import get_settings

    with database_url(get_settings()) as url:
        report = asyncio.run(_verify(url, from_seq))
    click.echo(describe(report))
    if not report.ok:
        raise SystemExit(1)


@audit.command("push-xapi")
def push_xapi() -> None:
    """Send new xAPI statements to the LRS in TUTOR_XAPI_LRS_URL (learners with analytics consent)."""
    from tutor.audit.config import AuditSettings
    from tutor.audit.lrs import LrsError, LrsSettings, push_pending
    from tutor.db.engine import make_engine, make_session_maker
    from tutor.db.session import database_url
    from tutor.settings import get_settings

    lrs = LrsSettings.from_env()
    if lrs is None:
        raise click.ClickException("Set TUTOR_XAPI_LRS_URL (and _USERNAME/_PASSWORD) to push statements.")

    async def run(url: str) -> str:
        engine = make_engine(url, pool_size=2)
        try:
            report = await push_pending(
                make_session_maker(engine), lrs, home_page=AuditSettings.from_env().xapi_home_page
            )
        finally:
            await engine.dispose()
        return f"Sent {report.sent} statements (up to {report.pushed_until.isoformat()})."

    with database_url(get_settings()) as url:
        try:
            click.echo(asyncio.run(run(url)))
        except LrsError as exc:
            raise click.ClickException(str(exc)) from exc
