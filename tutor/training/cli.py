"""``tutor train``: the same accepted-run path as ``POST /v1/training/runs``, in the foreground."""

from __future__ import annotations

import asyncio
from uuid import UUID

import click

from adapters.training.config import TrainingSettings
from adapters.training.trainer import TrainProgress
from tutor.db.engine import make_engine, make_session_maker
from tutor.errors import TutorError
from tutor.math import sandbox
from tutor.training.schemas import RunIn

__all__ = ["train"]


async def _train(url: str, school_id: UUID, data: RunIn, cfg: TrainingSettings, plan_only: bool) -> str:
    from tutor.training.ledger import create_run
    from tutor.training.runner import execute_run

    engine = make_engine(url, pool_size=2)
    try:
        session_maker = make_session_maker(engine)
        async with session_maker() as session:
            run = await create_run(session, school_id, None, data, cfg)
            click.echo(
                f"Plan: {run.learner_count} learners, {run.steps} steps, sample rate {run.sample_rate:.4g}, "
                f"noise {run.noise_multiplier:.3g} -> epsilon {run.epsilon:.3f} at delta {run.delta:g} "
                f"({run.accountant.upper()}, learner-level)."
            )
            if plan_only:
                await session.rollback()
                return "planned"
            run_id = run.id
            steps = run.steps
            await session.commit()
        with click.progressbar(length=steps, label="DP-SGD", show_pos=True) as bar:

            def on_progress(p: TrainProgress) -> None:
                bar.label = f"DP-SGD loss {p.loss:.3f} eps {p.epsilon:.2f}"
                bar.update(p.step - bar.pos)

            final = await execute_run(session_maker, run_id, cfg, progress=on_progress)
        click.echo(f"Run {final.id}: {final.status}; epsilon spent {final.epsilon_spent or 0:.3f}.")
        if final.error:
            click.echo(final.error, err=True)
        return final.status
    finally:
        await engine.dispose()
        sandbox.shutdown()  # corrected recognitions are solved in the math sandbox while building data


@click.command()
@click.option(
    "--school", "school_id", type=click.UUID, required=True, help="School whose consenting learners train."
)
@click.option("--adapter-name", default="math", show_default=True)
@click.option("--target-epsilon", type=float, help="Budget for this run (noise is derived).")
@click.option("--noise-multiplier", type=float, help="Noise instead of a target epsilon.")
@click.option("--epochs", type=int, help="Passes over learners.")
@click.option("--batch-learners", type=int, help="Expected learners per step.")
@click.option("--plan-only", is_flag=True, help="Print the epsilon the run would spend, and stop.")
def train(
    school_id: UUID,
    adapter_name: str,
    target_epsilon: float | None,
    noise_multiplier: float | None,
    epochs: int | None,
    batch_learners: int | None,
    plan_only: bool,
) -> None:
    """Train the math LoRA with DP-SGD on consenting learners' data (refused if over budget)."""
    from tutor.db.session import database_url
    from tutor.settings import get_settings

    data = RunIn(
        adapter_name=adapter_name,
        target_epsilon=target_epsilon,
        noise_multiplier=noise_multiplier,
        epochs=epochs,
        batch_learners=batch_learners,
    )
    try:
        with database_url(get_settings()) as url:
            status = asyncio.run(_train(url, school_id, data, TrainingSettings.from_env(), plan_only))
    except TutorError as exc:
        raise click.ClickException(exc.message) from None
    if status == "failed":
        raise SystemExit(1)
