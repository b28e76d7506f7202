"""Per-account limits on the math sandbox: worker seconds per window and calls in flight.

Why: the route rate limit counts requests, not cost; one account sending inputs that each run to the
sandbox's deadline (5 s) could keep every worker busy and starve the class. Each account gets
:attr:`MathSettings.account_budget_s` worker seconds per window and a few calls in flight; past that
it gets 429 with Retry-After while everyone else is served. The account comes from
:data:`SANDBOX_ACCOUNT`, set per request from the signed-in principal (``tutor.app``). Counters are
per process, like the route rate limits.
"""

from __future__ import annotations

import contextvars
import math
import threading
import time
from collections import deque

from tutor.errors import TooManyRequestsError
from tutor.math.config import MathSettings

__all__ = ["SANDBOX_ACCOUNT", "AccountBudget"]

SANDBOX_ACCOUNT: contextvars.ContextVar[str | None] = contextvars.ContextVar("sandbox_account", default=None)


class AccountBudget:
    """Thread-safe: admit a call, then record what it cost."""

    def __init__(self, settings: MathSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._spent: dict[str, deque[tuple[float, float]]] = {}
        self._in_flight: dict[str, int] = {}

    def _used(self, account: str, now: float) -> float:
        window = self._spent.get(account)
        if window is None:
            return 0.0
        while window and window[0][0] <= now - self.settings.account_window_s:
            window.popleft()
        if not window:
            del self._spent[account]
            return 0.0
        return sum(cost for _, cost in window)

    def admit(self, account: str) -> None:
        """Raise 429 when the account is over its budget or has too many calls in flight."""
        now = time.monotonic()
        with self._lock:
            if self._in_flight.get(account, 0) >= self.settings.account_concurrency:
                raise TooManyRequestsError(
                    "Too many math requests at once from this account; wait for the previous ones. "
                    "/ 同时提交的数学计算太多，请等上一个完成。",
                    headers={"Retry-After": "1"},
                )
            if self._used(account, now) >= self.settings.account_budget_s:
                oldest = self._spent[account][0][0]
                retry = max(1, math.ceil(oldest + self.settings.account_window_s - now))
                raise TooManyRequestsError(
                    "This account has used its share of the math engine for now; try again shortly. "
                    "/ 本账号的数学计算额度暂时用完，请稍后再试。",
                    headers={"Retry-After": str(retry)},
                )
            self._in_flight[account] = self._in_flight.get(account, 0) + 1

    def release(self, account: str, cost_s: float) -> None:
        with self._lock:
            left = self._in_flight.get(account, 1) - 1
            if left > 0:
                self._in_flight[account] = left
            else:
                self._in_flight.pop(account, None)
            if cost_s > 0:
                self._spent.setdefault(account, deque()).append((time.monotonic(), cost_s))
