"""The database a command-line command works on: the configured one, or the embedded server.

Lives beside the engine (not in ``tutor.cli``) so that area commands can use it without importing the
CLI root that mounts them (that import went in a circle).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy.ext.asyncio import AsyncSession

from tutor.settings import Settings

__all__ = ["database_url", "end_transaction_before_model_call"]


async def end_transaction_before_model_call(session: AsyncSession) -> None:
    """Commit what the request has read or written so far, before a language-model call.

    A model call takes seconds to minutes on a CPU. A transaction left open across it would hold its
    locks that long and be ended by the server's ``idle_in_transaction_session_timeout`` (the
    request then fails when it writes its audit event). Writes after the call begin a new transaction.
    """
    await session.commit()


@contextlib.contextmanager
def database_url(settings: Settings, *, keep_running: bool = False) -> Iterator[str]:
    """The configured URL, or an embedded server started (and stopped) around the block."""
    if settings.database_url:
        yield settings.database_url
        return
    from tutor.db.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(settings.embedded_pg_dir, keep_running=keep_running)
    url = server.start()
    try:
        yield url
    finally:
        if not keep_running:
            server.stop()
