"""One typed settings object read from ``TUTOR_*`` environment variables.

Each area that needs its own knobs (model engines, training) keeps a small settings dataclass next to
its code with the same ``from_env`` shape; this module holds what the service as a whole needs.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import platformdirs

from tutor.db.embedded import default_pg_dir

__all__ = ["Settings", "get_settings"]

APP_NAME = "belle-math-tutor"


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    return default if raw in (None, "") else float(raw)


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    return default if raw in (None, "") else int(raw)


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    return default if raw in (None, "") else raw.strip().lower() in {"1", "true", "yes", "on"}


def _secret(data_dir: Path) -> str:
    """A per-installation signing secret, kept in the data dir so tokens survive restarts.

    The file is created with mode 0600 in the same system call that creates it (never readable by
    others, not even for a moment); a concurrent first start that loses the race reads the winner's.
    """
    path = data_dir / "jwt-secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Service settings. ``database_url`` None means: run the embedded PostgreSQL server."""

    database_url: str | None
    data_dir: Path
    embedded_pg_dir: Path
    jwt_secret: str
    jwt_ttl_minutes: int = 60
    jwt_issuer: str = "belle-math-tutor"
    jwt_audience: str = "belle-math-tutor-api"
    host: str = "127.0.0.1"
    port: int = 8000
    mastery_threshold: float = 0.95
    default_target_p_correct: float = 0.7
    max_body_bytes: int = 12 * 1024 * 1024
    db_pool_size: int = 10
    log_level: str = "INFO"
    json_logs: bool = True
    cors_origins: tuple[str, ...] = ()
    seed_demo_on_start: bool = False
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("TUTOR_DATA_DIR") or platformdirs.user_data_dir(APP_NAME)).expanduser()
        embedded_dir = Path(env.get("TUTOR_EMBEDDED_PG_DIR") or default_pg_dir(data_dir)).expanduser()
        return cls(
            database_url=env.get("TUTOR_DATABASE_URL") or None,
            data_dir=data_dir,
            embedded_pg_dir=embedded_dir,
            jwt_secret=env.get("TUTOR_JWT_SECRET") or _secret(data_dir),
            jwt_ttl_minutes=_int(env, "TUTOR_JWT_TTL_MINUTES", 60),
            jwt_issuer=env.get("TUTOR_JWT_ISSUER") or "belle-math-tutor",
            jwt_audience=env.get("TUTOR_JWT_AUDIENCE") or "belle-math-tutor-api",
            host=env.get("TUTOR_HOST", "127.0.0.1"),
            port=_int(env, "TUTOR_PORT", 8000),
            mastery_threshold=_float(env, "TUTOR_MASTERY_THRESHOLD", 0.95),
            default_target_p_correct=_float(env, "TUTOR_TARGET_P_CORRECT", 0.7),
            max_body_bytes=_int(env, "TUTOR_MAX_BODY_BYTES", 12 * 1024 * 1024),
            db_pool_size=_int(env, "TUTOR_DB_POOL_SIZE", 10),
            log_level=env.get("TUTOR_LOG_LEVEL", "INFO").upper(),
            json_logs=_bool(env, "TUTOR_JSON_LOGS", True),
            cors_origins=tuple(o.strip() for o in env.get("TUTOR_CORS_ORIGINS", "").split(",") if o.strip()),
            seed_demo_on_start=_bool(env, "TUTOR_SEED_DEMO", False),
            env=env,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process (read once)."""
    return Settings.from_env()
