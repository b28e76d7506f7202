"""Math routes: solve step by step (symbolic engine) and check an answer. Any signed-in user.

Both run in the math sandbox, so a hostile problem costs at most one worker for the timeout while
other requests keep being answered; unreadable math is a 422 problem+json naming what was unreadable.
"""

from __future__ import annotations

import msgspec
from litestar import Controller, post
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm.config import LLMConfig
from tutor.api.types import AuthedRequest
from tutor.audit.ai_content import record_solver_solution
from tutor.auth.consent_guard import TUTORING
from tutor.auth.scopes import MATH_SOLVE, SERVICE_SCOPE
from tutor.errors import ServiceUnavailableError, UnprocessableError
from tutor.math import sandbox
from tutor.math.grading import check_answer_sync
from tutor.math.schemas import AnswerCheckIn, AnswerCheckOut, SolveIn, SolveOut, step_out
from tutor.math.solver import solve_problem
from tutor.math.steps import Solution
from tutor.privacy.rate_limits import MATH_ROUTE, MODEL_AND_MATH_ROUTE
from tutor.recognition.services import confirm_recognition
from tutor.settings import Settings
from tutor.tutoring.service import solve_out_with_llm

__all__ = ["MathController"]


class MathController(Controller):
    opt = dict(TUTORING)  # a student needs guardian consent for tutoring (tutor.auth.consent_guard)
    path = "/v1"
    tags = ["math"]

    @post(
        "/solve",
        status_code=200,
        opt={**MODEL_AND_MATH_ROUTE, SERVICE_SCOPE: MATH_SOLVE},
        summary="Solve a problem step by step; every step is checked",
    )
    async def solve(self, request: AuthedRequest, data: SolveIn, db_session: AsyncSession) -> SolveOut:
        modality, edited = "typed", None
        if data.recognition_id is not None:
            confirmed = await confirm_recognition(db_session, request.user, data.recognition_id, data.problem)
            modality, edited = confirmed.modality, confirmed.edited
            # The confirmation (and its audit event) commits now: the model path audits in its own
            # transaction, which would otherwise wait on the audit chain lock this session holds.
            # Confirming again with the same text is a no-op, so a failed solve can simply be retried.
            await db_session.commit()
        settings: Settings = request.app.state.settings
        if data.engine == "symbolic" and data.params is not None:
            raise UnprocessableError(
                "params: 生成参数只用于语言模型 (engine=llm 或 auto)。"
                " Generation params apply to the language model only (engine llm or auto).",
                field="params",
            )
        model_configured = LLMConfig.from_env(settings.env).missing_setting is None
        if data.engine == "llm" or (data.engine == "auto" and model_configured):
            try:
                out = await solve_out_with_llm(request.app.state, request.user, data)
                return msgspec.structs.replace(out, input_modality=modality, recognition_edited=edited)
            except ServiceUnavailableError:
                if data.engine == "llm":
                    raise
                # auto: a broken or busy model is no reason to leave the learner without a solution
        solution: Solution = await sandbox.run_sandboxed(solve_problem, data.problem)
        out = SolveOut(
            kind=solution.kind,
            engine="symbolic",
            steps=[step_out(s, data.language) for s in solution.steps],
            answer=solution.answer,
            answer_kind=solution.answer_kind,
            verification="every step checked equivalent to the previous one by SymPy",
            input_modality=modality,
            recognition_edited=edited,
        )
        await record_solver_solution(
            db_session,
            request.user,
            problem=data.problem,
            steps=[msgspec.to_builtins(step) for step in out.steps],
            answer=out.answer,
            answer_kind=out.answer_kind,
            verification=out.verification,
        )
        return out

    @post(
        "/answers/check",
        status_code=200,
        opt={**MATH_ROUTE, SERVICE_SCOPE: MATH_SOLVE},
        summary="Is a submitted answer equal to the expected one?",
    )
    async def check_answer(self, request: AuthedRequest, data: AnswerCheckIn) -> AnswerCheckOut:
        kind, result = await sandbox.run_sandboxed(
            check_answer_sync, data.expected, data.submitted, data.answer_kind, data.task, data.question
        )
        return AnswerCheckOut(
            correct=result.correct,
            reason=result.reason_in(data.language),
            answer_kind=kind,
            normalized_submitted=result.normalized_submitted,
            reason_zh=result.reason_zh,
            reason_en=result.reason,
            code=result.code,
        )
