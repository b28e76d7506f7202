"""``/v1/audit``: streaming export (JSON Lines, CSV, xAPI) and chain verification.

Admins export their school's events; teachers only events about learners of a class they teach. The
export is itself an audit event, committed with the request; the rows stream from a second session on a
server-side cursor, so memory stays flat however many events match.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response import Stream
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tutor.audit import kinds as audit_kinds
from tutor.audit.chain import VerifyReport
from tutor.audit.config import AuditSettings
from tutor.audit.events import ensure_pseudonyms, record_event
from tutor.audit.formats import CONTENT_TYPES, encode_stream
from tutor.audit.pseudonyms import pseudonyms_of, staff_for_pseudonym
from tutor.audit.store import EventFilter, stream_rows
from tutor.audit.verify import verify_chain
from tutor.audit.xapi_source import XapiScope, scope_learners, stream_statements
from tutor.auth.access import class_for_staff
from tutor.auth.guards import requires_roles
from tutor.auth.principal import Principal
from tutor.db.models import Enrolment
from tutor.errors import ForbiddenError, NotFoundError, UnprocessableError

__all__ = ["AuditController"]

Req = Request[Principal, Any, Any]


class ActorOut(msgspec.Struct):
    actor_ref: str
    user_id: UUID
    role: str
    display_name: str


_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
MAX_KINDS = 20


@lru_cache(maxsize=1)
def audit_settings() -> AuditSettings:
    return AuditSettings.from_env()


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _check_kinds(kind: list[str] | None) -> list[str] | None:
    if not kind:
        return None
    if len(kind) > MAX_KINDS:
        raise UnprocessableError(f"At most {MAX_KINDS} kinds can be exported at once.")
    bad = [k for k in kind if len(k) > 64 or not _KIND.match(k)]
    if bad:
        raise UnprocessableError(f"Unknown event kind {bad[0][:64]!r}: kinds look like 'model_output.hint'.")
    return kind


_encoder = msgspec.json.Encoder()


async def _xapi_body(
    sessions: async_sessionmaker[AsyncSession], scope: XapiScope, settings: AuditSettings
) -> AsyncIterator[bytes]:
    """A JSON array of statements, written as they are read."""
    async with sessions() as session:
        yield b"["
        first = True
        async for statement in stream_statements(session, scope, home_page=settings.xapi_home_page):
            yield (b"" if first else b",") + _encoder.encode(statement)
            first = False
        yield b"]"


async def _export_body(
    sessions: async_sessionmaker[AsyncSession], where: EventFilter, fmt: str, settings: AuditSettings
) -> AsyncIterator[bytes]:
    async with (
        sessions() as session,
        aclosing(stream_rows(session, where, batch_size=settings.export_batch)) as rows,
    ):
        async for chunk in encode_stream(rows, fmt, home_page=settings.xapi_home_page):  # type: ignore[arg-type]
            yield chunk


class AuditController(Controller):
    path = "/v1/audit"
    tags = ["audit"]

    @get(
        "/export",
        guards=[requires_roles("admin", "teacher")],
        summary="Export audit events (JSON Lines, CSV or xAPI), streamed",
        description=(
            "Filters: `from`/`to` (ISO 8601; without an offset, UTC), `class_id`, `kind` (repeatable), "
            "`format` = jsonl (default) | csv | xapi. xAPI holds learners' statements (answered, mastered, "
            "asked for a hint, started and took part in a tutoring dialogue) of learners with analytics "
            "consent; `kind` does not apply to it. Teachers must pass a class they teach. Learners appear "
            "only as pseudonyms."
        ),
    )
    async def export(
        self,
        request: Req,
        db_session: AsyncSession,
        occurred_from: Annotated[datetime | None, Parameter(query="from")] = None,
        occurred_to: Annotated[datetime | None, Parameter(query="to")] = None,
        class_id: UUID | None = None,
        kind: list[str] | None = None,
        fmt: Annotated[Literal["jsonl", "csv", "xapi"], Parameter(query="format")] = "jsonl",
    ) -> Stream:
        principal = request.user
        start, end = _utc(occurred_from), _utc(occurred_to)
        if start is not None and end is not None and end <= start:
            raise UnprocessableError("`to` must be later than `from`.")
        kinds = _check_kinds(kind)
        learner_refs: list[str] | None = None
        if class_id is not None:
            await class_for_staff(db_session, principal, class_id)
            learner_ids = await db_session.scalars(
                select(Enrolment.learner_id).where(Enrolment.class_id == class_id)
            )
            learner_refs = sorted((await pseudonyms_of(db_session, learner_ids)).values())
        elif not principal.is_admin:
            raise ForbiddenError("Teachers can export only their own classes: pass class_id.")
        where = EventFilter(
            occurred_from=start,
            occurred_to=end,
            kinds=kinds,
            learner_refs=learner_refs,
            school_id=principal.school_id,
        )
        await record_event(
            db_session,
            kind=audit_kinds.EXPORT,
            actor_id=principal.id,
            actor_role=principal.role,
            learner_id=None,
            school_id=principal.school_id,
            payload={
                "what": "audit_events",
                "format": fmt,
                "from": start,
                "to": end,
                "class_id": class_id,
                "kinds": kinds,
            },
        )
        settings = audit_settings()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        extension = {"jsonl": "jsonl", "csv": "csv", "xapi": "json"}[fmt]
        body: AsyncIterator[bytes]
        if fmt == "xapi":
            scope = XapiScope(
                school_id=principal.school_id, class_id=class_id, occurred_from=start, occurred_to=end
            )
            await ensure_pseudonyms(db_session, scope_learners(scope))
            body = _xapi_body(request.app.state.session_maker, scope, settings)
        else:
            body = _export_body(request.app.state.session_maker, where, fmt, settings)
        return Stream(
            body,
            media_type=CONTENT_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.{extension}"'},
        )

    @get(
        "/verify",
        guards=[requires_roles("admin")],
        summary="Recompute the audit hash chain and report the first broken link",
    )
    async def verify(
        self,
        request: Req,
        db_session: AsyncSession,
        from_seq: Annotated[int | None, Parameter(query="from", ge=1, le=2**62)] = None,
    ) -> VerifyReport:
        """The whole chain is checked; the report covers the admin's school's events only."""
        return await verify_chain(
            db_session,
            from_seq=from_seq,
            batch_size=audit_settings().export_batch,
            school_id=request.user.school_id,
        )

    @get(
        "/actors/{actor_ref:str}",
        guards=[requires_roles("admin")],
        summary="Who a staff pseudonym in the audit log is (the school's own staff only)",
    )
    async def actor(self, request: Req, db_session: AsyncSession, actor_ref: str) -> ActorOut:
        found = await staff_for_pseudonym(db_session, actor_ref)
        if found is None or found.school_id != request.user.school_id:
            raise NotFoundError("No member of your school's staff has this pseudonym.")
        await record_event(
            db_session,
            kind=audit_kinds.LEARNER_DATA_READ,
            actor_id=request.user.id,
            actor_role=request.user.role,
            learner_id=None,
            school_id=request.user.school_id,
            payload={"what": "staff_pseudonym", "actor_ref": actor_ref},
        )
        return ActorOut(
            actor_ref=actor_ref, user_id=found.id, role=found.role, display_name=found.display_name
        )
