"""Math routes: solve step by step (symbolic engine) and check an answer. Any signed-in user.

Both run in the math sandbox, so a hostile problem costs at most one worker for the timeout while
other requests keep being answered; unreadable math is a 422 problem+json naming what was unreadable.
"""

from __future__ import annotations

from litestar import Controller, post
from litestar.datastructures import State

from tutor.api.types import AuthedRequest
from tutor.errors import ServiceUnavailableError
from tutor.math import sandbox
from tutor.math.grading import check_answer_sync
from tutor.math.schemas import AnswerCheckIn, AnswerCheckOut, SolveIn, SolveOut, step_out
from tutor.math.solver import solve_problem
from tutor.math.steps import Solution
from tutor.runtime import register_shutdown

__all__ = ["MathController"]

_REGISTERED = "math_sandbox_shutdown_registered"


def _ensure_shutdown_hook(state: State) -> None:
    """Stop the sandbox's worker processes when the app stops (registered once per app)."""
    if not state.get(_REGISTERED):
        state[_REGISTERED] = True
        register_shutdown(state, sandbox.shutdown)


class MathController(Controller):
    path = "/v1"
    tags = ["math"]

    @post("/solve", status_code=200, summary="Solve a problem step by step; every step is checked")
    async def solve(self, request: AuthedRequest, data: SolveIn) -> SolveOut:
        if data.engine == "llm":
            raise ServiceUnavailableError(
                "No language model is configured; use engine 'symbolic'.", retry_after=60
            )
        _ensure_shutdown_hook(request.app.state)
        solution: Solution = await sandbox.run_sandboxed(solve_problem, data.problem)
        return SolveOut(
            kind=solution.kind,
            engine="symbolic",
            steps=[step_out(s, data.language) for s in solution.steps],
            answer=solution.answer,
            answer_kind=solution.answer_kind,
            verification="every step checked equivalent to the previous one by SymPy",
        )

    @post("/answers/check", status_code=200, summary="Is a submitted answer equal to the expected one?")
    async def check_answer(self, request: AuthedRequest, data: AnswerCheckIn) -> AnswerCheckOut:
        _ensure_shutdown_hook(request.app.state)
        kind, result = await sandbox.run_sandboxed(
            check_answer_sync, data.expected, data.submitted, data.answer_kind
        )
        return AnswerCheckOut(
            correct=result.correct,
            reason=result.reason,
            answer_kind=kind,
            normalized_submitted=result.normalized_submitted,
        )
