"""``tutor fit-mastery`` and ``tutor recalibrate-items``: the learner model's batch commands."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from tutor.learning.bkt import BKTParams
    from tutor.practice.fitting import FitOutcome

__all__ = ["fit_mastery", "recalibrate_items"]

T = TypeVar("T")


def _run_in_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction on the configured (or embedded) database; commit on success."""
    from tutor.db.engine import make_engine, make_session_maker
    from tutor.db.session import database_url
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
@click.option("--dry-run", is_flag=True, help="Fit and print the comparison; store and activate nothing.")
def fit_mastery(kp_codes: tuple[str, ...], min_observations: int, dry_run: bool) -> None:
    """Fit BKT (+forgetting) per knowledge point, compare with the parameters in force on held-out
    learners, and store the fit as a new version: active only when plausible and not worse."""
    from tutor.practice.fitting import fit_mastery as fit

    outcomes = _run_in_session(
        lambda s: fit(s, kp_codes=list(kp_codes) or None, min_observations=min_observations, dry_run=dry_run)
    )
    if not outcomes:
        click.echo("No attempts yet: nothing to fit.")
    for o in outcomes:
        if o.params is None:
            click.echo(f"{o.kp_code}: skipped ({o.skipped})")
            continue
        click.echo(format_fit(o, dry_run=dry_run))


def format_fit(o: FitOutcome, *, dry_run: bool) -> str:
    """The comparison a reviewer reads: new vs in-force parameters and held-out fit, then the decision."""
    assert o.params is not None and o.baseline is not None

    def row(p: BKTParams) -> str:
        return (
            f"prior={p.prior:.3f} learn={p.learn:.3f} forget={p.forget:.3f} "
            f"guess={p.guess:.3f} slip={p.slip:.3f} half-life={p.half_life_days:g}d"
        )

    scope = (
        "in-sample (too few learners to hold out)"
        if o.in_sample
        else f"{o.heldout_observations} held-out answers"
    )
    lines = [
        f"{o.kp_code}: fitted on {o.n_observations} answers of {o.n_sequences} learners in {o.seconds:.2f} s",
        f"  new:       {row(o.params)}  log-lik/answer {o.heldout_ll:.4f}",
        f"  in force:  {row(o.baseline)}  log-lik/answer {o.baseline_ll:.4f}  ({scope})",
    ]
    if dry_run:
        lines.append(
            "  dry run: nothing stored"
            + ("" if o.active else f" (would stay inactive: {'; '.join(o.reasons)})")
        )
    elif o.active:
        lines.append(f"  -> version {o.version} activated")
    else:
        lines.append(f"  -> version {o.version} stored, NOT activated: {'; '.join(o.reasons)}")
    return "\n".join(lines)


@click.command("recalibrate-items")
def recalibrate_items() -> None:
    """Refit every attempted item's difficulty (and discrimination where data allows) from history."""
    from tutor.practice.fitting import recalibrate_item_bank

    outcome = _run_in_session(recalibrate_item_bank)
    click.echo(
        f"Recalibrated {outcome.items} items from {outcome.attempts} attempts "
        f"(mean difficulty change {outcome.mean_abs_change:.3f} logits)."
    )
