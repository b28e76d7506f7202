"""Normalise database URLs: users write ``postgresql://``, SQLAlchemy needs a driver name."""

from __future__ import annotations

__all__ = ["async_url", "libpq_url"]


def async_url(url: str) -> str:
    """``postgresql://…`` -> ``postgresql+asyncpg://…`` (other drivers are rewritten too)."""
    for prefix in ("postgresql+psycopg://", "postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("TUTOR_DATABASE_URL must be a postgresql:// URL")


def libpq_url(url: str) -> str:
    """The plain ``postgresql://`` form (psycopg, SAQ's queue, psql)."""
    return "postgresql://" + async_url(url)[len("postgresql+asyncpg://") :]
