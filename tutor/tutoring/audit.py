"""Record every model output in the audit log with what produced it and how it was checked."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm import GenerationParams
from tutor.audit.events import record_event
from tutor.auth.principal import Principal
from tutor.tutoring.schemas import ModelProvenance

__all__ = ["MAX_AUDIT_OUTPUT_CHARS", "record_model_output"]

MAX_AUDIT_OUTPUT_CHARS = 8000


async def record_model_output(
    session: AsyncSession,
    *,
    kind: str,
    principal: Principal,
    learner_id: UUID | None,
    provenance: ModelProvenance,
    params: GenerationParams | None,
    output: str,
    verdict: Mapping[str, Any],
    refs: Mapping[str, Any] | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> None:
    """One ``model_output.*`` event: input, model, adapter name@version, template version, params, verdict.

    The output text is kept (bounded) with its SHA-256 so a reviewer can see exactly what a learner
    was shown. ``inputs`` says what the output answered (``tutor.audit.ai_content.input_text`` for math
    the engine read, ``input_hash`` for a learner's own words, which the audit log must not keep).
    """
    payload: dict[str, Any] = {
        "model": provenance.model,
        "adapter": provenance.adapter,
        "template": provenance.template,
        "params": msgspec.structs.asdict(params) if params is not None else None,
        "verdict": dict(verdict),
        "output": output[:MAX_AUDIT_OUTPUT_CHARS],
        "output_sha256": hashlib.sha256(output.encode("utf-8")).hexdigest(),
        **(dict(refs) if refs else {}),
    }
    if inputs is not None:
        payload["input"] = dict(inputs)
    await record_event(
        session,
        kind=kind,
        actor_id=principal.id,
        actor_role=principal.role,
        learner_id=learner_id,
        payload=payload,
        school_id=principal.school_id,
    )
