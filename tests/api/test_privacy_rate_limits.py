"""Rate limits: sign-in and model routes answer 429 with Retry-After once the window is used up."""

from __future__ import annotations

import pytest
from litestar import Litestar, get, post
from litestar.testing import AsyncTestClient

from tutor.privacy.config import PrivacySettings, parse_rate
from tutor.privacy.rate_limits import rate_limit_middleware


@post("/v1/auth/token", status_code=200)
async def sign_in() -> dict[str, str]:
    return {"token": "t"}


@post("/v1/solve/stream", status_code=200)
async def solve() -> dict[str, str]:
    return {"answer": "x = 5"}


@get("/v1/solve/models")
async def read_only() -> dict[str, str]:
    return {"ok": "yes"}


def app(settings: PrivacySettings) -> Litestar:
    return Litestar([sign_in, solve, read_only], middleware=rate_limit_middleware(settings))


async def test_login_is_limited_per_address_with_retry_after() -> None:
    settings = PrivacySettings.from_env({"TUTOR_RATE_LIMIT_LOGIN": "3/minute"})
    async with AsyncTestClient(app=app(settings)) as client:
        codes = [(await client.post("/v1/auth/token")).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        limited = await client.post("/v1/auth/token")
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # another route keeps its own budget
        assert (await client.post("/v1/solve/stream")).status_code == 200


async def test_model_routes_are_limited_per_token_and_reads_are_not() -> None:
    settings = PrivacySettings.from_env({"TUTOR_RATE_LIMIT_MODEL": "2/minute"})
    async with AsyncTestClient(app=app(settings)) as client:
        alice = {"Authorization": "Bearer alice"}
        bob = {"Authorization": "Bearer bob"}
        assert [(await client.post("/v1/solve/stream", headers=alice)).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        assert (await client.post("/v1/solve/stream", headers=bob)).status_code == 200
        reads = [(await client.get("/v1/solve/models", headers=alice)).status_code for _ in range(5)]
        assert reads == [200] * 5


def test_rates_and_retention_settings_are_validated() -> None:
    assert parse_rate("10/minute") == ("minute", 10)
    for bad in ("10", "ten/minute", "5/fortnight", "0/minute"):
        with pytest.raises(ValueError, match="10/minute"):
            parse_rate(bad)
    settings = PrivacySettings.from_env({"TUTOR_RETENTION_DAYS": "attempts=30,recognitions=0"})
    assert settings.retention_days["attempts"] == 30 and "recognitions" not in settings.retention_days
