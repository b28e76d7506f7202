"""``POST /v1/recognize/formula`` and ``/speech``; ``GET /v1/admin/recognition-quality``.

Uploads (pictures, pen strokes, InkML, recordings) are read, validated and recognised on a bounded
worker pool; only the resulting text is stored. A spoken question is read into the math engine's
input (``tutor.math.spoken``) and counts as parseable when the solver accepts it. An engine that is
not configured makes its route answer 503 saying what to set.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import time
from typing import Any

import msgspec
import structlog
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.formula.strokes import Stroke, parse_inkml, strokes_from_points
from adapters.speech.prosody import without_fillers
from tutor.audit.ai_content import record_recognition
from tutor.auth.consent_guard import TUTORING
from tutor.auth.guards import requires_roles
from tutor.auth.principal import Principal
from tutor.confusion.services import record_speech_confusion
from tutor.errors import TutorError, UnprocessableError
from tutor.math import sandbox
from tutor.math.solver import solve_problem
from tutor.math.spoken import spoken_to_math
from tutor.privacy.rate_limits import MODEL_ROUTE
from tutor.recognition.messages import message_for
from tutor.recognition.openapi import FormulaUploadOperation, SpeechUploadOperation
from tutor.recognition.runtime import recognition_runtime
from tutor.recognition.schemas import FormulaJsonIn, RecognitionOut, RecognitionQualityOut
from tutor.recognition.services import quality_by_engine, store_recognition
from tutor.recognition.work import Recognised, recognise_formula, recognise_speech, recognise_strokes

__all__ = ["RecognitionController"]

Req = Request[Principal, Any, Any]
log = structlog.get_logger(__name__)


_INKML_TYPES = ("application/inkml+xml", "application/xml", "text/xml")


async def _upload(request: Req, field: str = "file") -> tuple[UploadFile, dict[str, Any]]:
    """Multipart field ``field`` plus the other (text) fields."""
    form = await request.form()
    upload = form.get(field)
    if not isinstance(upload, UploadFile):
        raise UnprocessableError(f"Attach the file in a multipart field named '{field}'.", field=field)
    others = {k: v for k, v in form.items() if k != field and isinstance(v, str)}
    return upload, others


def _is_inkml(content_type: str, filename: str = "") -> bool:
    return content_type.split(";")[0].strip().lower() in _INKML_TYPES or filename.lower().endswith(".inkml")


def _inkml_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnprocessableError("The InkML document is not UTF-8 text.", field="inkml") from None


def _from_json(raw: bytes) -> bytes | list[Stroke]:
    """The picture's bytes, or the strokes (from ``strokes`` or ``inkml``)."""
    try:
        body = msgspec.json.decode(raw, type=FormulaJsonIn)
    except msgspec.DecodeError as exc:
        raise UnprocessableError(f"Invalid JSON body: {exc}", field="image_base64") from None
    given = [name for name in ("image_base64", "strokes", "inkml") if getattr(body, name) is not None]
    if len(given) != 1:
        raise UnprocessableError(
            "Send exactly one of image_base64, strokes or inkml.", fields=["image_base64", "strokes", "inkml"]
        )
    if body.strokes is not None:
        return strokes_from_points([stroke.points for stroke in body.strokes])
    if body.inkml is not None:
        return parse_inkml(body.inkml)
    text = body.image_base64 or ""
    if text.startswith("data:"):
        text = text.partition(",")[2]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise UnprocessableError("image_base64 is not valid base64.", field="image_base64") from None


async def _spoken_problem(out: Recognised) -> Recognised:
    """Read the transcript as math; parseable when the symbolic solver accepts it (in the sandbox).

    A transcript the reader refuses keeps ``problem`` None: the learner sees the words and edits them."""
    if not out.text:
        return out
    try:
        problem = spoken_to_math(without_fillers(out.text), out.language)
    except TutorError:
        return _replace(out, parseable=False)
    try:
        await sandbox.run_sandboxed(solve_problem, problem)
    except TutorError:
        return _replace(out, problem=problem, parseable=False)
    return _replace(out, problem=problem, parseable=True)


def _replace(out: Recognised, **changes: Any) -> Recognised:
    return dataclasses.replace(out, **changes)


async def _store(
    db_session: AsyncSession, principal: Principal, kind: str, out: Recognised, started: float
) -> RecognitionOut:
    # operational facts only: never the text, the media or who sent it (learners are minors)
    log.info(
        "recognition",
        kind=kind,
        engine=out.engine,
        confidence=round(out.confidence, 3),
        parseable=out.parseable,
        status=out.status,
        reasons=list(out.reasons),
        empty=not out.text,
        ms=round((time.perf_counter() - started) * 1000),
    )
    row = await store_recognition(
        db_session,
        principal,
        kind=kind,
        engine=out.engine,
        text=out.text,
        confidence=out.confidence,
        parseable=out.parseable,
        language=out.language,
        problem=out.problem,
    )
    await record_recognition(
        db_session,
        principal,
        recognition_id=row.id,
        kind=kind,
        engine=out.engine,
        text=out.text,
        confidence=row.confidence,
        parseable=out.parseable,
        language=out.language,
    )
    if kind == "speech":
        await record_speech_confusion(db_session, principal.id, row.id, out.prosody)
    return RecognitionOut(
        id=row.id,
        kind="speech" if kind == "speech" else "handwriting",
        text=out.text,
        confidence=row.confidence,
        parseable=out.parseable,
        engine=out.engine,
        language=out.language,
        status=out.status,
        message=message_for(out.status, kind),
        problem=out.problem,
    )


class RecognitionController(Controller):
    opt = dict(TUTORING)  # a student needs guardian consent for tutoring (tutor.auth.consent_guard)
    path = "/v1"
    tags = ("recognition",)

    @post(
        "/recognize/formula",
        opt=MODEL_ROUTE,
        summary="Read a handwritten formula (pix2tex) from a picture or the pad's pen strokes",
        description=(
            "Send a PNG, JPEG or WebP picture from the handwriting pad as multipart field `file` or as JSON "
            '`{"image_base64": "..."}` (a `data:` URL is fine; at most 5 MB and 4 megapixels); or the pad\'s '
            'pen strokes as JSON `{"strokes": [{"points": [[x, y], ...]}, ...]}` (at most 300 strokes and '
            '20,000 points); or an InkML document (`{"inkml": "<ink>...</ink>"}`, an '
            "`application/inkml+xml` body, or an `.inkml` file in `file`). Strokes are drawn server-side "
            "into the picture pix2tex expects. Returns the LaTeX for the learner to confirm (then send it "
            "with `recognition_id` to `/v1/attempts` or `/v1/solve`), its confidence, `status` "
            "(`low_confidence` with a zh/en `message` asks the learner to check it) and whether the math "
            "engine can parse it. 503 when formula recognition is not configured or busy."
        ),
        operation_class=FormulaUploadOperation,
    )
    async def recognize_formula(self, request: Req, db_session: AsyncSession) -> RecognitionOut:
        started = time.perf_counter()
        runtime = recognition_runtime(request.app.state)
        runtime.formula.ensure_configured()
        content_type = request.headers.get("content-type", "")
        source: bytes | list[Stroke]
        if content_type.startswith("multipart/"):
            upload, _ = await _upload(request)
            data = await upload.read()
            inkml = _is_inkml(upload.content_type or "", upload.filename or "")
            source = parse_inkml(_inkml_text(data)) if inkml else data
        elif _is_inkml(content_type):
            source = parse_inkml(_inkml_text(await request.body()))
        else:
            source = _from_json(await request.body())
        if isinstance(source, bytes):
            out = await runtime.formula_pool.run(recognise_formula, runtime.formula, source, runtime.limits)
        else:
            out = await runtime.formula_pool.run(recognise_strokes, runtime.formula, source)
        return await _store(db_session, request.user, "handwriting", out, started)

    @post(
        "/recognize/speech",
        opt=MODEL_ROUTE,
        summary="Transcribe a spoken question (whisper) and read it as math",
        description=(
            "Send the recording as multipart field `file` (WAV, MP3, M4A, OGG/Opus or WebM; at most 60 s "
            "and 10 MB) and optionally `language` (`zh` or `en`; detected when absent). `problem` is the "
            "question as the math engine's input (`x^2-7x+12`) and `parseable` says whether the solver "
            "accepts it. Silence or noise gives `status: no_speech`; whisper output that fails the "
            "hallucination checks (loops, digit chains, low log-probability) gives `status: unclear` and "
            "an empty `text`; uncertain text is `low_confidence`. Each non-`ok` status comes with a zh/en "
            "`message` for the learner. The audio is never stored. 503 when speech recognition is not "
            "configured (`tutor models install`) or busy."
        ),
        operation_class=SpeechUploadOperation,
    )
    async def recognize_speech(self, request: Req, db_session: AsyncSession) -> RecognitionOut:
        started = time.perf_counter()
        runtime = recognition_runtime(request.app.state)
        runtime.speech.ensure_configured()
        if not request.headers.get("content-type", "").startswith("multipart/"):
            raise UnprocessableError("Send the recording as multipart/form-data in a field named 'file'.")
        upload, fields = await _upload(request)
        data = await upload.read()
        language = runtime.speech.check_language(fields.get("language"))
        out = await runtime.speech_pool.run(recognise_speech, runtime.speech, data, runtime.limits, language)
        out = await _spoken_problem(out)
        return await _store(db_session, request.user, "speech", out, started)

    @get(
        "/admin/recognition-quality",
        summary="How often learners correct each recognition engine",
        guards=[requires_roles("admin")],
    )
    async def quality(self, request: Req, db_session: AsyncSession) -> RecognitionQualityOut:
        engines = await quality_by_engine(db_session, request.user.school_id)
        return RecognitionQualityOut(engines=engines)
