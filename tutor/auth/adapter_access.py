"""Which adapter a request may be served with: the caller's school decides, never another school.

A school's learners get the school's active version of an adapter (``tutor.training.registry``), or
the deployment's configured one when the school activated none. Learners cannot pick: a version
(``math@v2``) or the bare model (``""``) in a learner's request is refused (403), so no learner reaches
another school's adapter or one their school has not activated. Staff may pin their own school's
trained versions (``math@v3``) or the deployment's configured adapters, never another school's.

A school's trained version is loaded into the engine under a label unique to its run
(``v3-1a2b3c4d``), so two schools' ``math`` v3 never collide in the engine.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm import LLMEngine
from tutor.auth.principal import Principal
from tutor.db.models.training import TrainingRun
from tutor.errors import ForbiddenError, NotFoundError

__all__ = ["resolve_adapter_for", "run_label"]

_VERSION: Final = re.compile(r"^v?(\d{1,9})$")
_RUN_LABEL: Final = re.compile(r"^v\d+-[0-9a-f]{8}$")


def run_label(run: TrainingRun) -> str:
    """The version label a school's trained run is served under (``v3-1a2b3c4d``)."""
    return f"v{run.adapter_version}-{run.id.hex[-8:]}"


async def _serve_run(engine: LLMEngine, run: TrainingRun) -> str:
    assert run.adapter_dir is not None
    ref = await engine.ensure_adapter(run.adapter_name, run_label(run), Path(run.adapter_dir))
    return ref.key


async def _own_run(
    session: AsyncSession, principal: Principal, name: str, version: str
) -> TrainingRun | None:
    if _RUN_LABEL.match(version):
        number, _, suffix = version[1:].partition("-")
        run = await _own_run(session, principal, name, number)
        return run if run is not None and run.id.hex[-8:] == suffix else None
    match = _VERSION.match(version)
    if match is None:
        return None
    return await session.scalar(
        select(TrainingRun).where(
            TrainingRun.school_id == principal.school_id,
            TrainingRun.adapter_name == name,
            TrainingRun.adapter_version == int(match.group(1)),
            TrainingRun.status == "succeeded",
            TrainingRun.adapter_dir.is_not(None),
        )
    )


async def resolve_adapter_for(
    session: AsyncSession, principal: Principal, engine: LLMEngine, requested: str | None
) -> str | None:
    """The adapter spec to hand the engine for this caller (``None``: the engine's default)."""
    pinned = requested == "" or (requested is not None and "@" in requested)
    if pinned and principal.is_student:
        raise ForbiddenError(
            "Learners are served their school's adapter; leave `adapter` out or name it without a "
            "version. / 学生使用学校指定的模型版本，请不要指定版本。",
            field="adapter",
        )
    if requested == "":
        return requested
    if requested is not None and "@" in requested:
        name, _, version = requested.partition("@")
        run = await _own_run(session, principal, name, version)
        if run is not None:
            return await _serve_run(engine, run)
        if _RUN_LABEL.match(version):  # another school's trained version: it does not exist for you
            raise NotFoundError(f"Adapter {requested!r} does not exist.", field="adapter")
        return requested  # a deployment-configured adapter; the engine refuses unknown ones (422)
    if requested is None:
        await engine.load()  # the default adapter is known once the engine has loaded
        default = engine.resolve_adapter(None)
        if default is None:
            return None
        name = default.name
    else:
        name = requested
    from tutor.training.registry import active_run  # the training area is only needed here

    run = await active_run(session, principal.school_id, name)
    if run is None or not run.adapter_dir:
        return requested
    return await _serve_run(engine, run)
