"""A tiny process pool that bounds SymPy's time and memory per call.

SymPy can run without bound on hostile input (``x^(10^10)``, huge factorials), and a thread cannot be
stopped, so each call runs in a worker process with a deadline: past it the worker is killed and
replaced, and the caller gets a 422. Workers come from the ``forkserver`` context (the app is async
and multi-threaded, so plain ``fork`` is unsafe) and are started lazily.

Capacity: one worker per core by default (at least 2), a bounded queue in front (``max_waiting``
callers wait up to ``queue_wait_s`` for a worker; more than that get 503 with Retry-After at once,
never an unbounded queue), waiting in the sandbox's own threads so the event loop and the default
thread pool stay free, and a per-account budget (``tutor.math.budget``) so one account cannot keep
the workers busy for everyone. Trivial answers never come here (``tutor.math.fast_grade``).
math-verify's own timeout uses ``signal.alarm``, which only works in a main thread: it is fine here,
because each worker runs calls on its main thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from tutor import errors
from tutor.math.budget import SANDBOX_ACCOUNT, AccountBudget
from tutor.math.config import MathSettings

__all__ = ["MathSandbox", "SandboxTimeout", "get_sandbox", "run_sandboxed", "shutdown"]

T = TypeVar("T")
_START_TIMEOUT_S = 60.0


class SandboxTimeout(errors.UnprocessableError):
    """The math took longer than the per-call limit; the worker was replaced."""


def _worker_main(conn: Connection, memory_mb: int) -> None:
    """Worker loop: receive ``(fn, args)``, answer ``("ok", value)`` or ``("err", class, message, extra)``."""
    import resource

    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import sympy  # noqa: F401  (warm the import before declaring readiness)

    import tutor.math.grading
    import tutor.math.verifier  # noqa: F401

    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        fn, args = message
        try:
            conn.send(("ok", fn(*args)))
        except errors.TutorError as exc:
            conn.send(("err", type(exc).__name__, exc.message, exc.extra))
        except MemoryError:
            conn.send(("err", "UnprocessableError", "The math needs too much memory to work out.", {}))
        except RecursionError:
            conn.send(("err", "UnprocessableError", "The math is nested too deeply to work out.", {}))
        except Exception as exc:  # a bug or a SymPy failure: report it as unprocessable, not a crash
            conn.send(
                ("err", "UnprocessableError", f"The math could not be worked out ({type(exc).__name__}).", {})
            )


class _Worker:
    def __init__(self, ctx: Any, memory_mb: int) -> None:
        parent, child = ctx.Pipe()
        self.conn: Connection = parent
        self.process: BaseProcess = ctx.Process(target=_worker_main, args=(child, memory_mb), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(_START_TIMEOUT_S):
            raise errors.ServiceUnavailableError("The math engine did not start in time.", retry_after=5)
        self.conn.recv()
        self.ready = True

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class MathSandbox:
    """Owns the worker processes; thread-safe, usable from any event loop."""

    def __init__(self, settings: MathSettings | None = None) -> None:
        self.settings = settings or MathSettings.from_env()
        self._ctx = multiprocessing.get_context("forkserver")
        # workers fork from a server that already imported SymPy, so replacing a killed one is cheap
        self._ctx.set_forkserver_preload(["tutor.math.grading", "tutor.math.solver", "tutor.math.verifier"])
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self._all: list[_Worker] = []
        capacity = self.settings.workers + self.settings.max_waiting
        self._capacity = capacity
        self._admitted = 0
        self._threads = ThreadPoolExecutor(max_workers=capacity, thread_name_prefix="math-sandbox")
        self.budget = AccountBudget(self.settings)

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            if self._closed:
                raise errors.ServiceUnavailableError("The math engine is shutting down.", retry_after=5)
            for _ in range(self.settings.workers):
                self._spawn()
            self._started = True

    def warm(self) -> None:
        """Start the workers and wait until they are ready (blocking; for a start-up thread).

        Each worker is taken from the idle queue while it is waited for, exactly as a call takes it,
        so a call can never read the readiness message meant for this thread (or the reverse)."""
        self._start()
        taken: list[_Worker] = []
        try:
            for _ in range(self.settings.workers):
                try:
                    taken.append(self._idle.get(timeout=_START_TIMEOUT_S))
                except queue.Empty:
                    break
            for worker in taken:
                with contextlib.suppress(errors.TutorError, OSError, EOFError):
                    worker.wait_ready()
        finally:
            for worker in taken:
                self._idle.put(worker)

    def _spawn(self) -> None:
        worker = _Worker(self._ctx, self.settings.memory_mb)
        self._all.append(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            if not self._closed:
                self._spawn()

    def call(
        self, fn: Callable[..., T], *args: Any, timeout: float | None = None, spent: list[float] | None = None
    ) -> T:
        """Run ``fn(*args)`` in a worker (blocking); ``fn`` must be importable by reference.

        ``spent`` (a one-element list) receives the worker seconds the call used."""
        self._start()
        try:
            worker = self._idle.get(timeout=self.settings.queue_wait_s)
        except queue.Empty:
            retry = max(1, round(self.settings.timeout_s))
            raise errors.ServiceUnavailableError(
                "The math engine is busy; try again shortly.", retry_after=retry
            ) from None
        limit = self.settings.timeout_s if timeout is None else timeout
        started = time.monotonic()
        try:
            worker.wait_ready()
            started = time.monotonic()
            worker.conn.send((fn, args))
            reply = worker.conn.recv() if worker.conn.poll(limit) else None
        except (EOFError, OSError):
            self._replace(worker)
            raise errors.UnprocessableError("The math needs too much memory or time to work out.") from None
        except BaseException:
            self._replace(worker)
            raise
        finally:
            if spent is not None:
                spent[0] = time.monotonic() - started
        if reply is None:
            self._replace(worker)
            raise SandboxTimeout(
                f"The math took longer than {limit:g} seconds to work out; simplify the input.",
                timeout_s=limit,
            )
        self._idle.put(worker)
        if reply[0] == "ok":
            return reply[1]  # type: ignore[no-any-return]
        _, name, message, extra = reply
        cls = getattr(errors, name, errors.UnprocessableError)
        raise cls(message, **extra)

    async def run(
        self, fn: Callable[..., T], *args: Any, limit_s: float | None = None, account: str | None = None
    ) -> T:
        """Async form of :meth:`call`: waits in the sandbox's threads so the event loop stays free.

        ``account`` (default: the signed-in principal, ``SANDBOX_ACCOUNT``) is charged the worker
        seconds; over its budget the call is refused with 429 before it reaches a worker."""
        account = account if account is not None else SANDBOX_ACCOUNT.get()
        if account is not None:
            self.budget.admit(account)
        spent = [0.0]
        try:
            with self._admission():
                loop = asyncio.get_running_loop()
                call = functools.partial(self.call, fn, *args, timeout=limit_s, spent=spent)
                return await loop.run_in_executor(self._threads, call)
        finally:
            if account is not None:
                self.budget.release(account, spent[0])

    @contextlib.contextmanager
    def _admission(self) -> Any:
        """The bounded queue: past ``workers + max_waiting`` callers, 503 at once."""
        with self._lock:
            if self._admitted >= self._capacity:
                raise errors.ServiceUnavailableError(
                    "The math engine is busy; try again shortly. / 数学引擎正忙，请稍后再试。", retry_after=1
                )
            self._admitted += 1
        try:
            yield
        finally:
            with self._lock:
                self._admitted -= 1

    def shutdown(self) -> None:
        """Stop every worker; this sandbox refuses calls afterwards (``get_sandbox`` makes a new one)."""
        with self._lock:
            self._closed = True
            workers, self._all = self._all, []
            self._started = False
        while True:
            try:
                self._idle.get_nowait()
            except queue.Empty:
                break
        for worker in workers:
            with contextlib.suppress(OSError, BrokenPipeError):
                worker.conn.send(None)
            worker.process.join(timeout=1)
            worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)


_default: MathSandbox | None = None
_default_lock = threading.Lock()


def get_sandbox() -> MathSandbox:
    """The process-wide sandbox, created lazily from ``TUTOR_MATH_*`` settings."""
    global _default
    with _default_lock:
        if _default is None:
            _default = MathSandbox()
        return _default


async def run_sandboxed(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` in the process-wide sandbox."""
    return await get_sandbox().run(fn, *args)


def shutdown() -> None:
    """Called by the app on exit; a later call to :func:`get_sandbox` makes a new pool."""
    global _default
    with _default_lock:
        sandbox, _default = _default, None
    if sandbox is not None:
        sandbox.shutdown()
