"""Sign-in protection that holds against guessing and cannot be turned against a school.

* **Per account**: after ``login_free_failures`` failed sign-ins the next try waits 30 s, and each
  further failure doubles the wait (up to ``login_max_backoff_s``); a success clears it.
  Unknown usernames are throttled the same way, so the answers never tell which accounts exist.
* **Per client address**: failures are counted per address; once an address is over its budget, only
  accounts that have already signed in successfully from that address may still try. A school behind
  one NAT address keeps working while an attacker on the same address floods it with wrong passwords,
  and password spraying across new accounts from one address stops.

State is in PostgreSQL (every API worker sees it, restarts keep it), keyed by keyed hashes: no address or
username is stored. Failures are written in their own transaction, since the sign-in answer (401) rolls
back the request's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final
from uuid import UUID

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tutor.db.models.privacy import LoginKnownAddress, LoginThrottle
from tutor.errors import TooManyRequestsError
from tutor.privacy.config import PrivacySettings
from tutor.privacy.keyed import LOGIN, digest_with, purpose_key

__all__ = ["LoginKeys", "login_keys", "record_failure", "record_success", "refuse_if_throttled"]

_UNIT_SECONDS: Final = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_STALE_AFTER: Final = timedelta(days=1)
_FIRST_WAIT_S: Final = 30


@dataclass(frozen=True, slots=True)
class LoginKeys:
    account: str
    address: str
    address_key: str


async def login_keys(session: AsyncSession, *, account: str, address: str) -> LoginKeys:
    key = await purpose_key(session, LOGIN)
    address_key = digest_with(key, "addr:" + address)
    return LoginKeys(
        account="acct:" + digest_with(key, "acct:" + account),
        address="addr:" + address_key,
        address_key=address_key,
    )


def _too_many(seconds: float) -> TooManyRequestsError:
    wait = max(1, int(seconds + 0.999))
    return TooManyRequestsError(
        f"Too many failed sign-ins. Try again in {wait} seconds. / 登录失败次数过多，请 {wait} 秒后再试。",
        headers={"Retry-After": str(wait)},
        code="sign_in_throttled",
    )


async def refuse_if_throttled(
    session: AsyncSession, keys: LoginKeys, user_id: UUID | None, settings: PrivacySettings
) -> None:
    """Raise 429 before the password is even checked (no argon2 cost for throttled tries)."""
    now = datetime.now(UTC)
    rows = {
        row.key: row
        for row in await session.scalars(
            select(LoginThrottle).where(LoginThrottle.key.in_([keys.account, keys.address]))
        )
    }
    account = rows.get(keys.account)
    if account is not None and account.locked_until is not None and account.locked_until > now:
        raise _too_many((account.locked_until - now).total_seconds())
    address = rows.get(keys.address)
    unit, budget = settings.login_address_failures
    window = timedelta(seconds=_UNIT_SECONDS[unit])
    if address is None or address.failures < budget or address.window_started_at + window <= now:
        return
    known = user_id is not None and await session.scalar(
        select(LoginKnownAddress.user_id).where(
            LoginKnownAddress.user_id == user_id, LoginKnownAddress.address_key == keys.address_key
        )
    )
    if not known:
        raise _too_many((address.window_started_at + window - now).total_seconds())


async def _count(session: AsyncSession, key: str, now: datetime, window: timedelta) -> int:
    """Add one failure to ``key`` (a new window once the old one is over); the new count. Atomic."""
    new = insert(LoginThrottle).values(key=key, failures=1, window_started_at=now, last_failure_at=now)
    expired = LoginThrottle.window_started_at + window <= now
    stmt = new.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "failures": case((expired, 1), else_=LoginThrottle.failures + 1),
            "window_started_at": case((expired, now), else_=LoginThrottle.window_started_at),
            "last_failure_at": now,
        },
    ).returning(LoginThrottle.failures)
    return int((await session.execute(stmt)).scalar_one())


async def record_failure(session: AsyncSession, keys: LoginKeys, settings: PrivacySettings) -> None:
    """One failed sign-in for the account and the address (call in its own transaction)."""
    now = datetime.now(UTC)
    unit, _ = settings.login_address_failures
    await _count(session, keys.address, now, timedelta(seconds=_UNIT_SECONDS[unit]))
    failures = await _count(session, keys.account, now, _STALE_AFTER)
    over = failures - settings.login_free_failures
    if over >= 0:
        wait = timedelta(seconds=min(_FIRST_WAIT_S * 2 ** min(over, 20), settings.login_max_backoff_s))
        await session.execute(
            update(LoginThrottle).where(LoginThrottle.key == keys.account).values(locked_until=now + wait)
        )


async def record_success(session: AsyncSession, keys: LoginKeys, user_id: UUID) -> None:
    """Clear the account's failures and remember the address as one this account signs in from."""
    now = datetime.now(UTC)
    await session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys.account))
    stmt = insert(LoginKnownAddress).values(
        user_id=user_id, address_key=keys.address_key, last_success_at=now
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["user_id", "address_key"], set_={"last_success_at": stmt.excluded.last_success_at}
        )
    )


async def purge_stale(session: AsyncSession, now: datetime | None = None) -> int:
    """Forget failures older than a day (the retention run calls this)."""
    moment = now or datetime.now(UTC)
    result = await session.execute(
        delete(LoginThrottle).where(LoginThrottle.last_failure_at < moment - _STALE_AFTER)
    )
    return int(getattr(result, "rowcount", 0) or 0)


__all__ += ["purge_stale"]
