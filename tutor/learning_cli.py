"""``tutor fit-mastery`` and ``tutor recalibrate-items``: the learner model's batch commands."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["fit_mastery", "recalibrate_items"]

T = TypeVar("T")


def _run_in_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction on the configured (or embedded) database; commit on success."""
    from tutor.cli import database_url
    from tutor.db.engine import make_engine, make_session_maker
    from tutor.settings import get_settings

    async def main(url: str) -> T:
        engine = make_engine(url, pool_size=1)
        try:
            async with make_session_maker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    with database_url(get_settings()) as url:
        return asyncio.run(main(url))


@click.command("fit-mastery")
@click.option(
    "--kp", "kp_codes", multiple=True, help="Only these knowledge points (repeatable). Default: all."
)
@click.option("--min-observations", default=50, show_default=True, type=click.IntRange(10, 10_000_000))
def fit_mastery(kp_codes: tuple[str, ...], min_observations: int) -> None:
    """Fit BKT parameters per knowledge point from the stored attempts and store them as a new version."""
    from tutor.practice.fitting import fit_mastery as fit

    outcomes = _run_in_session(
        lambda s: fit(s, kp_codes=list(kp_codes) or None, min_observations=min_observations)
    )
    if not outcomes:
        click.echo("No attempts yet: nothing to fit.")
    for o in outcomes:
        if o.params is None:
            click.echo(f"{o.kp_code}: skipped ({o.skipped})")
            continue
        p = o.params
        click.echo(
            f"{o.kp_code}: version {o.version}  prior={p.prior:.3f} learn={p.learn:.3f} "
            f"guess={p.guess:.3f} slip={p.slip:.3f}  ({o.n_observations} answers, {o.n_sequences} learners)"
        )


@click.command("recalibrate-items")
def recalibrate_items() -> None:
    """Refit every attempted item's difficulty (and discrimination where data allows) from history."""
    from tutor.practice.fitting import recalibrate_item_bank

    outcome = _run_in_session(recalibrate_item_bank)
    click.echo(
        f"Recalibrated {outcome.items} items from {outcome.attempts} attempts "
        f"(mean difficulty change {outcome.mean_abs_change:.3f} logits)."
    )
