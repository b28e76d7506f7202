"""The database a command-line command works on: the configured one, or the embedded server.

Lives beside the engine (not in ``tutor.cli``) so that area commands can use it without importing the
CLI root that mounts them (that import went in a circle).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from tutor.settings import Settings

__all__ = ["database_url"]


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
