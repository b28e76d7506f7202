"""Model routes: streamed solve, tutoring dialogues, exercise generation.

Streams are Server-Sent Events. Nothing unchecked reaches a learner: raw model tokens are buffered,
and ``progress`` events only count them (``{"tokens": n}``) so a client can show that work goes on.
A solve stream releases each ``step`` event (``{"index", "text", "verdict", "detail"}``) once that
step checks; at the first step that does not, a ``held`` event says so and nothing more of the
model's text is released; the final ``result`` carries the checked outcome (the model's steps, or
the solver's). A dialogue stream releases the reply in a ``turn`` event after it passed its check
(or was replaced by the solver's next step). ``error`` carries a problem+json body if the model
fails mid-stream. The first token is awaited before the response starts, so "no model", "busy" and
bad input are still proper 503/422 answers, not broken streams.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any
from uuid import UUID

import msgspec
from advanced_alchemy.filters import LimitOffset
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.di import Provide
from litestar.pagination import OffsetPagination
from litestar.params import Parameter
from litestar.response import ServerSentEvent
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm import GenerationRequest, LLMEngine, defaults_for, render
from adapters.llm.params import enforce_compute_cap
from tutor.api.pagination import provide_limit_offset
from tutor.audit.ai_content import input_text
from tutor.audit.kinds import MODEL_OUTPUT_SOLUTION
from tutor.auth.consent_guard import TUTORING
from tutor.auth.guards import requires_roles
from tutor.auth.principal import Principal
from tutor.auth.scopes import EXERCISES_GENERATE, SERVICE_SCOPE
from tutor.db.session import end_transaction_before_model_call
from tutor.errors import TutorError, UnprocessableError
from tutor.math import sandbox
from tutor.math.sandbox import run_sandboxed
from tutor.math.solver import solve_problem
from tutor.privacy.rate_limits import MODEL_ROUTE
from tutor.runtime import register_shutdown
from tutor.settings import Settings
from tutor.tutoring import dialogues as dlg
from tutor.tutoring.audit import record_model_output
from tutor.tutoring.checking import check_model_text, solve_checked
from tutor.tutoring.config import TutoringConfig
from tutor.tutoring.engine import get_engine, provide_engine, served_adapter
from tutor.tutoring.exercises import generate_with_llm
from tutor.tutoring.schemas import (
    DialogueCreate,
    DialogueOut,
    ExerciseGenerateRequest,
    ExerciseGenerateResponse,
    HintOut,
    HintRequest,
    LLMSolveRequest,
    ModelProvenance,
    TurnApprovalOut,
    TurnCreate,
    TurnOut,
)
from tutor.tutoring.service import llm_hint, persist_shielded, record_solve_outcome
from tutor.tutoring.step_check import SolutionCheck, check_solution_sync

__all__ = [
    "TUTORING_ROUTES",
    "DialogueController",
    "ExerciseController",
    "HintController",
    "SolveStreamController",
]

Req = Request[Principal, Any, State]


def provide_tutoring_config(settings: Settings) -> TutoringConfig:
    return TutoringConfig.from_env(settings.env or {})


_DEPS = {
    "engine": Provide(provide_engine),
    "tutoring": Provide(provide_tutoring_config, sync_to_thread=False),
}


_SANDBOX_HOOK = "tutoring_sandbox_shutdown_registered"


def _uses_sandbox(state: State) -> None:
    """These routes run the math sandbox: stop its worker processes with the app (idempotent)."""
    if not state.get(_SANDBOX_HOOK):
        state[_SANDBOX_HOOK] = True
        register_shutdown(state, sandbox.shutdown)


def _event(event: str, payload: Any) -> dict[str, Any]:
    return {"event": event, "data": msgspec.json.encode(payload).decode()}


def _error_event(exc: TutorError) -> dict[str, Any]:
    return _event("error", {"title": exc.title, "status": exc.status_code, "detail": exc.message})


async def _primed(stream: AsyncGenerator[str, None]) -> tuple[str | None, AsyncGenerator[str, None]]:
    """Wait for the first piece so errors before generation starts become normal responses."""
    try:
        return await anext(stream), stream
    except StopAsyncIteration:
        return None, stream
    except BaseException:
        await stream.aclose()
        raise


async def _relay(
    first: str | None, stream: AsyncGenerator[str, None], sink: list[str]
) -> AsyncIterator[dict[str, Any]]:
    """Progress events (a count, never the text); closing this (client gone) closes the model
    stream, which stops generation."""
    try:
        if first:
            sink.append(first)
            yield _event("progress", {"tokens": len(sink)})
        async for piece in stream:
            sink.append(piece)
            yield _event("progress", {"tokens": len(sink)})
    finally:
        await stream.aclose()


async def _nothing() -> AsyncGenerator[str, None]:
    """The model stream of a screened message: the model never runs."""
    return
    yield  # pragma: no cover - makes this an async generator


class _StepRelease:
    """Releases a streamed solution's steps one by one, each only after it checked."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.released = 0
        self.held = False
        self._checked_lines = 0

    async def events(self, text: str, *, final: bool) -> AsyncIterator[dict[str, Any]]:
        lines = text.count("\n")
        if self.held or (not final and lines == self._checked_lines):
            return
        self._checked_lines = lines
        check: SolutionCheck = await run_sandboxed(check_solution_sync, self.problem, text)
        steps = check.verification.steps
        ready = steps if final else steps[:-1]  # the last step may still be growing
        for step in ready[self.released :]:
            if step.verdict not in ("valid", "explanation"):
                self.held = True
                yield _event("held", {"index": step.index, "verdict": step.verdict})
                return
            self.released += 1
            yield _event(
                "step",
                {"index": step.index, "text": step.text, "verdict": step.verdict, "detail": step.reason},
            )


class SolveStreamController(Controller):
    # a student needs guardian consent for tutoring (tutor.auth.consent_guard); a model runs (rate limit)
    opt = {**TUTORING, **MODEL_ROUTE}
    path = "/v1/solve"
    tags = ["solve"]
    dependencies = dict(_DEPS)

    @post("/stream", summary="Solve with the language model, streaming tokens (SSE), then checked steps")
    async def solve_stream(
        self, request: Req, db_session: AsyncSession, data: LLMSolveRequest, engine: LLMEngine
    ) -> ServerSentEvent:
        state = request.app.state
        principal = request.user
        _uses_sandbox(state)
        await run_sandboxed(solve_problem, data.problem)  # unreadable problem: 422 before the model runs
        adapter = await served_adapter(db_session, engine, data.adapter, principal)
        params = enforce_compute_cap(data.params or defaults_for("solution"), principal.role)
        prompt = render("solution", data.lang, problem=data.problem)
        first, stream = await _primed(
            engine.stream(GenerationRequest(prompt=prompt.text, params=params, adapter=adapter))
        )

        ref = engine.resolve_adapter(adapter)
        provenance = ModelProvenance(
            model=engine.health().model, adapter=ref.key if ref else None, template=prompt.template_id
        )

        async def events() -> AsyncIterator[dict[str, Any]]:
            pieces: list[str] = []

            async def unchecked(why: str) -> None:
                """What was streamed before an error or a disconnect still goes to the audit log."""

                async def write(session: AsyncSession) -> None:
                    await record_model_output(
                        session,
                        kind=MODEL_OUTPUT_SOLUTION,
                        principal=principal,
                        learner_id=principal.id if principal.is_student else None,
                        provenance=provenance,
                        params=params,
                        output="".join(pieces),
                        verdict={"checked": False, "ended": why},
                        inputs=input_text("problem", data.problem),
                    )

                await persist_shielded(state, write)

            release = _StepRelease(data.problem)
            try:
                async for event in _relay(first, stream, pieces):
                    yield event
                    if "\n" in pieces[-1]:
                        async for step_event in release.events("".join(pieces), final=False):
                            yield step_event
                async for step_event in release.events("".join(pieces), final=True):
                    yield step_event
                attempt = await check_model_text(data.problem, "".join(pieces), params, None)
                outcome = await solve_checked(
                    engine, data.problem, lang=data.lang, params=params, adapter=adapter, first=attempt
                )
            except TutorError as exc:
                await unchecked(f"error: {exc.title}")
                yield _error_event(exc)
                return
            except BaseException:  # client disconnected (cancellation / aclose)
                await unchecked("client disconnected")
                raise

            async def audit(session: AsyncSession) -> None:
                await record_solve_outcome(session, principal, outcome, engine)

            await persist_shielded(state, audit)
            yield _event("result", outcome.answer)

        return ServerSentEvent(events())


class HintController(Controller):
    # a student needs guardian consent for tutoring (tutor.auth.consent_guard); a model runs (rate limit)
    opt = {**TUTORING, **MODEL_ROUTE}
    path = "/v1/hints"
    tags = ["tutoring"]

    @post("/", summary="A Socratic hint for the next step (never the answer), checked by the math engine")
    async def hint(
        self, request: Req, db_session: AsyncSession, data: HintRequest, settings: Settings
    ) -> HintOut:
        _uses_sandbox(request.app.state)
        return await llm_hint(
            request.app.state,
            settings,
            db_session,
            request.user,
            data.problem,
            work=data.work,
            lang=data.lang,
            adapter=data.adapter,
            params=None if data.params is None else enforce_compute_cap(data.params, request.user.role),
        )


class DialogueController(Controller):
    opt = dict(TUTORING)  # a student needs guardian consent for tutoring (tutor.auth.consent_guard)
    path = "/v1/dialogues"
    tags = ["tutoring"]
    dependencies = {**_DEPS, "page": Provide(provide_limit_offset, sync_to_thread=False)}

    @post("/", summary="Start a tutoring dialogue about a problem, an item or one of your attempts")
    async def create(self, request: Req, db_session: AsyncSession, data: DialogueCreate) -> DialogueOut:
        dialogue = await dlg.create_dialogue(db_session, request.user, data)
        return dlg.dialogue_out(dialogue, [])

    @get("/", summary="Dialogues, newest first: your own, or (staff) a learner's via learner_id")
    async def list_dialogues(
        self,
        request: Req,
        db_session: AsyncSession,
        page: LimitOffset,
        learner_id: Annotated[UUID | None, Parameter(query="learner_id")] = None,
    ) -> OffsetPagination[DialogueOut]:
        rows, total = await dlg.list_dialogues(db_session, request.user, learner_id, page.limit, page.offset)
        return OffsetPagination(
            items=[dlg.dialogue_out(d, []) for d in rows], limit=page.limit, offset=page.offset, total=total
        )

    @get("/{dialogue_id:uuid}", summary="A dialogue with its turns (learner, their teachers, admins)")
    async def read(self, request: Req, db_session: AsyncSession, dialogue_id: UUID) -> DialogueOut:
        dialogue = await dlg.get_dialogue(db_session, request.user, dialogue_id)
        return dlg.dialogue_out(dialogue, await dlg.load_turns(db_session, dialogue))

    @post(
        "/{dialogue_id:uuid}/turns",
        opt=MODEL_ROUTE,
        summary="Say something; the tutor answers (one JSON reply)",
    )
    async def turn(
        self,
        request: Req,
        db_session: AsyncSession,
        dialogue_id: UUID,
        data: TurnCreate,
        engine: LLMEngine,
        tutoring: TutoringConfig,
    ) -> list[TurnOut]:
        _uses_sandbox(request.app.state)
        dialogue = await dlg.own_dialogue(db_session, request.user, dialogue_id)
        await engine.load()
        student = await dlg.record_student_turn(db_session, dialogue, data.message, tutoring)
        prompt = await dlg.dialogue_prompt(db_session, dialogue, engine, tutoring)
        params = enforce_compute_cap(dlg.dialogue_params(data.params), request.user.role)
        adapter = await served_adapter(db_session, engine, None, request.user)
        ctx = dlg.ReplyContext.of(dialogue)
        reply = await dlg.screen_learner_message(ctx, data.message)
        raw, model, adapter_key, finish = "", engine.health().model, None, "screened"
        if reply is None:  # the model runs only for a message that passed the screen
            # the learner's message is stored before the model runs (as in the streamed turn)
            await end_transaction_before_model_call(db_session)
            [result] = await engine.generate(
                [GenerationRequest(prompt=prompt.text, params=params, adapter=adapter)]
            )
            reply = await dlg.check_tutor_reply(ctx, result.text, prompt)
            raw, model, finish = result.text, result.model, result.finish_reason
            adapter_key = result.adapter.key if result.adapter else None
        tutor = await dlg.add_tutor_turn(
            db_session,
            request.user,
            dialogue,
            reply.text,
            adapter=adapter_key,
            model=model,
            template_id=prompt.template_id,
            params=params,
            finish_reason=finish,
            raw=raw,
            check=reply.check,
        )
        return [dlg.turn_out(student), dlg.turn_out(tutor)]

    @post(
        "/{dialogue_id:uuid}/turns/{seq:int}/approve",
        guards=[requires_roles("teacher", "admin")],
        status_code=200,
        summary="Approve a tutor turn as training data (the learner's teachers, school admins); idempotent",
    )
    async def approve_turn(
        self, request: Req, db_session: AsyncSession, dialogue_id: UUID, seq: int
    ) -> TurnApprovalOut:
        turn = await dlg.approve_turn(db_session, request.user, dialogue_id, seq)
        return dlg.approval_out(turn)

    @post(
        "/{dialogue_id:uuid}/turns/stream",
        opt=MODEL_ROUTE,
        summary="Say something; the tutor's answer streams (SSE)",
    )
    async def turn_stream(
        self,
        request: Req,
        db_session: AsyncSession,
        dialogue_id: UUID,
        data: TurnCreate,
        engine: LLMEngine,
        tutoring: TutoringConfig,
    ) -> ServerSentEvent:
        principal, state = request.user, request.app.state
        _uses_sandbox(state)
        dialogue = await dlg.own_dialogue(db_session, principal, dialogue_id)
        await engine.load()
        student = await dlg.record_student_turn(db_session, dialogue, data.message, tutoring)
        prompt = await dlg.dialogue_prompt(db_session, dialogue, engine, tutoring)
        params = enforce_compute_cap(dlg.dialogue_params(data.params), request.user.role)
        adapter = await served_adapter(db_session, engine, None, principal)
        ref = engine.resolve_adapter(adapter)
        ctx = dlg.ReplyContext.of(dialogue)
        screened = await dlg.screen_learner_message(ctx, data.message)
        if screened is None:
            first, stream = await _primed(
                engine.stream(GenerationRequest(prompt=prompt.text, params=params, adapter=adapter))
            )
        else:
            first, stream = None, _nothing()
        student_out = dlg.turn_out(student)
        await db_session.commit()  # the learner's message is stored before the reply streams
        model = engine.health().model
        dialogue_key = dialogue.id

        async def events() -> AsyncIterator[dict[str, Any]]:
            pieces: list[str] = []
            finish = "cancelled"
            stored: list[TurnOut] = []

            async def store(session: AsyncSession) -> None:
                raw = "".join(pieces).strip()
                reply = screened or await dlg.check_tutor_reply(ctx, raw, prompt)
                row = await dlg.own_dialogue(session, principal, dialogue_key)
                tutor = await dlg.add_tutor_turn(
                    session,
                    principal,
                    row,
                    reply.text,
                    adapter=ref.key if ref and screened is None else None,
                    model=model,
                    template_id=prompt.template_id,
                    params=params,
                    finish_reason="screened" if screened is not None else finish,
                    raw=raw,
                    check=reply.check,
                )
                stored.append(dlg.turn_out(tutor))

            try:
                yield _event("student", student_out)
                async for event in _relay(first, stream, pieces):
                    yield event
                finish = "stop"
            except TutorError as exc:
                finish = "error"
                yield _error_event(exc)
            finally:
                await persist_shielded(state, store)
            if stored:
                yield _event("turn", stored[0])

        return ServerSentEvent(events())


class ExerciseController(Controller):
    path = "/v1/exercises"
    tags = ["exercises"]
    dependencies = dict(_DEPS)

    @post(
        "/generate",
        guards=[requires_roles("teacher", "admin", "service")],
        opt={**MODEL_ROUTE, SERVICE_SCOPE: EXERCISES_GENERATE},
        summary="Generate verified exercises for a knowledge point (template engine or the model)",
    )
    async def generate(
        self,
        request: Req,
        db_session: AsyncSession,
        data: ExerciseGenerateRequest,
        settings: Settings,
        tutoring: TutoringConfig,
    ) -> ExerciseGenerateResponse:
        _uses_sandbox(request.app.state)
        if data.count > tutoring.exercises_max_count:
            raise UnprocessableError(
                f"count: at most {tutoring.exercises_max_count} exercises per request.", field="count"
            )
        if data.params is not None:
            enforce_compute_cap(data.params, request.user.role)
        if data.engine == "llm":
            engine = get_engine(request.app.state, settings)
            return await generate_with_llm(
                db_session, request.user, engine, data, tutoring.exercises_max_count
            )
        from tutor.tutoring.templates import generate_with_templates

        return await generate_with_templates(db_session, request.user, data)


TUTORING_ROUTES: list[Any] = [SolveStreamController, HintController, DialogueController, ExerciseController]
"""Everything this area serves; ``tutor/routes.py`` adds these."""
