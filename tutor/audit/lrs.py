"""Push xAPI statements to a configured LRS (``TUTOR_XAPI_LRS_URL``), with retries.

``tutor audit push-xapi`` and the worker's cron job send every statement whose time lies between the
stored watermark and a minute ago (so a transaction still committing is never skipped), in batches,
then move the watermark. Statement ids are stable, so a batch re-sent after a failure is deduplicated
by the LRS. httpx retries connection failures itself; 429 and 5xx answers are retried here with
exponential backoff (honouring ``Retry-After``): a dozen lines, not worth another dependency.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import httpx
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tutor.audit.events import ensure_pseudonyms
from tutor.audit.xapi_source import XapiScope, scope_learners, stream_statements
from tutor.db.models.privacy import XapiPushState

__all__ = ["LrsError", "LrsSettings", "PushReport", "post_statements", "push_pending"]

XAPI_VERSION: Final = "1.0.3"
_LAG: Final = timedelta(minutes=1)
_EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)


class LrsError(RuntimeError):
    """The LRS refused statements or stayed unreachable after every retry."""


@dataclass(frozen=True, slots=True)
class LrsSettings:
    url: str
    username: str | None = None
    password: str | None = None
    batch: int = 500
    retries: int = 4
    timeout_s: float = 30.0
    backoff_s: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> LrsSettings | None:
        """None when no LRS is configured."""
        url = (env.get("TUTOR_XAPI_LRS_URL") or "").rstrip("/")
        if not url:
            return None
        return cls(
            url=url,
            username=env.get("TUTOR_XAPI_LRS_USERNAME") or None,
            password=env.get("TUTOR_XAPI_LRS_PASSWORD") or None,
            batch=int(env.get("TUTOR_XAPI_LRS_BATCH") or 500),
        )


@dataclass(frozen=True, slots=True)
class PushReport:
    sent: int
    pushed_until: datetime


def _client(settings: LrsSettings, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    auth = (settings.username, settings.password or "") if settings.username else None
    return httpx.AsyncClient(
        transport=transport or httpx.AsyncHTTPTransport(retries=settings.retries),
        auth=auth,
        timeout=settings.timeout_s,
        headers={"X-Experience-API-Version": XAPI_VERSION},
    )


async def post_statements(
    client: httpx.AsyncClient, settings: LrsSettings, statements: Sequence[dict[str, Any]]
) -> None:
    """POST one batch to ``<url>/statements``; retry 429/5xx, fail loudly on anything else."""
    for attempt in range(settings.retries + 1):
        response = await client.post(f"{settings.url}/statements", json=list(statements))
        if response.status_code < 300:
            return
        retryable = response.status_code == 429 or response.status_code >= 500
        if not retryable or attempt == settings.retries:
            raise LrsError(f"the LRS answered {response.status_code}: {response.text[:300]}")
        wait = response.headers.get("retry-after", "")
        await asyncio.sleep(float(wait) if wait.isdigit() else settings.backoff_s * 2**attempt)


async def push_pending(
    sessions: async_sessionmaker[AsyncSession],
    settings: LrsSettings,
    *,
    home_page: str,
    now: datetime | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> PushReport:
    """Send every school's statements since the watermark; the watermark moves only after success."""
    until = (now or datetime.now(UTC)) - _LAG
    async with sessions() as session, session.begin():
        since = (
            await session.scalar(select(XapiPushState.pushed_until).where(XapiPushState.id == 1)) or _EPOCH
        )
        scope = XapiScope(school_id=None, occurred_from=since, occurred_to=until)
        await ensure_pseudonyms(session, scope_learners(scope))
    sent = 0
    async with sessions() as session, _client(settings, transport) as client:
        batch: list[dict[str, Any]] = []
        async for statement in stream_statements(session, scope, home_page=home_page):
            batch.append(statement)
            if len(batch) >= settings.batch:
                await post_statements(client, settings, batch)
                sent, batch = sent + len(batch), []
        if batch:
            await post_statements(client, settings, batch)
            sent += len(batch)
    async with sessions() as session, session.begin():
        stmt = insert(XapiPushState).values(id=1, pushed_until=until)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["id"], set_={"pushed_until": stmt.excluded.pushed_until}
            )
        )
    return PushReport(sent=sent, pushed_until=until)
