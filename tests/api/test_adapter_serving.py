"""Admin activation and rollback of trained adapter versions change what tutoring is served with.

A real LocalEngine on the tiny BELLE look-alike (startup adapter ``math@v1``) serves the routes; the
"trained" runs point at saved tiny LoRAs, which the engine loads on demand when they are activated.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.llm.config import LLMConfig
from adapters.llm.local import MAX_LOADED_ADAPTERS, LocalEngine
from adapters.llm.params import GenerationParams
from adapters.llm.schemas import GenerationRequest
from adapters.llm.testing import shared_tiny_belle, tiny_llm_env
from tests.factories import World, auth_headers
from tutor.audit.kinds import MODEL_OUTPUT_HINT
from tutor.db.models.audit import AuditEvent
from tutor.db.models.dialogues import DialogueTurnRow
from tutor.db.models.training import TrainingRun
from tutor.errors import ServiceUnavailableError
from tutor.settings import Settings
from tutor.tutoring.engine import ENGINE_KEY

SCORES = {"accuracy": 0.5, "bleu4": 0.1, "rouge_l": 0.2, "examples": 3, "heldout_loss": 1.0}
GREEDY = GenerationParams(max_new_tokens=8, do_sample=False)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "TUTOR_DATABASE_URL": db_url,
            "TUTOR_DATA_DIR": str(tmp_path / "data"),
            "TUTOR_JWT_SECRET": "test-secret-" + "x" * 32,
            **tiny_llm_env(),
        }
    )


def _trained_lora(tmp_path: Path, label: str) -> Path:
    """A saved tiny LoRA standing in for a training run's output (the shared hint LoRA, copied)."""
    _, adapter_dir = shared_tiny_belle("llama")
    target = tmp_path / "trained" / label
    shutil.copytree(adapter_dir / "hint" / "v1", target)
    return target


def _run(world: World, version: int, adapter_dir: Path, school_id: Any = None) -> TrainingRun:
    return TrainingRun(
        school_id=school_id or world.school.id,
        requested_by=world.admin.id,
        base_model="tiny-belle",
        adapter_name="math",
        adapter_version=version,
        learner_count=4,
        epsilon=2.0,
        delta=0.01,
        accountant="rdp",
        noise_multiplier=1.0,
        max_grad_norm=1.0,
        steps=4,
        sample_rate=0.5,
        epochs=1,
        batch_learners=2,
        examples_per_learner=1,
        status="succeeded",
        adapter_dir=str(adapter_dir),
        eval_scores=dict(SCORES),
        sanity_passed=True,
        gate_passed=True,
    )


async def _hint_adapter(client: AsyncTestClient[Litestar], session: AsyncSession, headers: Any) -> str:
    body = {"problem": "3x - 5 = 10", "work": "3x = 15", "lang": "en", "params": {"max_new_tokens": 6}}
    response = await client.post("/v1/hints", json=body, headers=headers)
    assert response.status_code == 201, response.text
    session.expire_all()
    events = list(
        await session.scalars(
            select(AuditEvent).where(AuditEvent.kind == MODEL_OUTPUT_HINT).order_by(AuditEvent.seq)
        )
    )
    return str(events[-1].payload["adapter"])


async def test_activation_and_rollback_switch_the_served_adapter(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession, tmp_path: Path
) -> None:
    session.add_all(
        [_run(world, 2, _trained_lora(tmp_path, "v2")), _run(world, 3, _trained_lora(tmp_path, "v3"))]
    )
    await session.commit()
    admin, student = auth_headers(settings, world.admin), auth_headers(settings, world.students[0])

    assert await _hint_adapter(client, session, student) == "math@v1"  # no activation: startup default

    assert (await client.post("/v1/adapters/math/2/activate", headers=admin)).status_code == 200
    assert (await _hint_adapter(client, session, student)).startswith("math@v2-")
    assert (await client.post("/v1/adapters/math/3/activate", headers=admin)).status_code == 200
    assert (await _hint_adapter(client, session, student)).startswith("math@v3-")

    dialogue = await client.post(
        "/v1/dialogues", json={"problem": "2x + 3 = 7", "lang": "en"}, headers=student
    )
    assert dialogue.status_code == 201, dialogue.text
    turn = await client.post(
        f"/v1/dialogues/{dialogue.json()['id']}/turns",
        json={"message": "How do I start?", "params": {"max_new_tokens": 6, "do_sample": False}},
        headers=student,
    )
    assert turn.status_code == 201, turn.text
    stored = await session.scalar(select(DialogueTurnRow).where(DialogueTurnRow.role == "tutor"))
    assert stored is not None and stored.adapter is not None and stored.adapter.startswith("math@v3-")

    assert (await client.post("/v1/adapters/math/rollback", headers=admin)).json()["active_version"] == 2
    assert (await _hint_adapter(client, session, student)).startswith("math@v2-")
    assert (await client.post("/v1/adapters/math/rollback", headers=admin)).json()["active_version"] is None
    assert await _hint_adapter(client, session, student) == "math@v1"  # back to the startup default

    pin = {"problem": "3x - 5 = 10", "adapter": "math@v3", "params": {"max_new_tokens": 6}}
    pinned = await client.post("/v1/hints", json=pin, headers=admin)  # staff may pin their school's version
    assert pinned.status_code == 201 and pinned.json()["provenance"]["adapter"].startswith("math@v3-")
    refused = await client.post("/v1/hints", json=pin, headers=student)  # learners get what the school serves
    assert refused.status_code == 403 and refused.json()["field"] == "adapter"
    engine = client.app.state[ENGINE_KEY]
    loaded = set(engine.health().adapters)
    assert {"math@v1", "hint@v1"} <= loaded and {a.split("-")[0] for a in loaded} >= {"math@v2", "math@v3"}


async def test_two_schools_with_the_same_adapter_name_are_independent(
    client: AsyncTestClient[Litestar], world: World, settings: Settings, session: AsyncSession, tmp_path: Path
) -> None:
    """School A activating math v2 changes nothing for school B, which activates and rolls back its own."""
    outsider = world.outsider_admin
    session.add_all(
        [
            _run(world, 2, _trained_lora(tmp_path, "a2")),
            _run(world, 2, _trained_lora(tmp_path, "b2"), school_id=world.other_school.id),
        ]
    )
    await session.commit()
    admin_a, admin_b = auth_headers(settings, world.admin), auth_headers(settings, outsider)
    student_a, student_b = (
        auth_headers(settings, world.students[0]),
        auth_headers(settings, world.outsider_student),
    )

    assert (await client.post("/v1/adapters/math/2/activate", headers=admin_a)).status_code == 200
    served_a = await _hint_adapter(client, session, student_a)
    assert served_a.startswith("math@v2-")
    assert await _hint_adapter(client, session, student_b) == "math@v1"  # B still gets the deployment's
    assert (await client.get("/v1/adapters/math", headers=admin_b)).json()["active_version"] is None
    nothing = await client.post("/v1/adapters/math/rollback", headers=admin_b)
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_to_roll_back"

    assert (await client.post("/v1/adapters/math/2/activate", headers=admin_b)).status_code == 200
    served_b = await _hint_adapter(client, session, student_b)
    assert served_b.startswith("math@v2-") and served_b != served_a  # two different LoRAs, both "v2"
    assert (await client.post("/v1/adapters/math/rollback", headers=admin_b)).status_code == 200
    assert await _hint_adapter(client, session, student_b) == "math@v1"
    assert await _hint_adapter(client, session, student_a) == served_a  # A unaffected by B's rollback
    # B's staff cannot reach A's trained version by its label.
    pin = {"problem": "3x - 5 = 10", "adapter": served_a, "params": {"max_new_tokens": 6}}
    assert (await client.post("/v1/hints", json=pin, headers=admin_b)).status_code == 404


async def test_local_engine_loads_adapters_on_demand_and_bounds_them(tmp_path: Path) -> None:
    model_dir, adapter_dir = shared_tiny_belle("llama")
    engine = LocalEngine(
        LLMConfig(engine="local", model=str(model_dir), adapter_dir=adapter_dir, adapters=("math",))
    )
    try:
        prompt = "Human: \nSolve 3x - 5 = 10\n\nAssistant: \n"
        [startup] = await engine.generate([GenerationRequest(prompt=prompt, params=GREEDY)])
        ref = await engine.ensure_adapter("math", "v7", _trained_lora(tmp_path, "v7"))
        assert ref.key == "math@v7" and engine.resolve_adapter("math@v7") == ref
        [loaded] = await engine.generate([GenerationRequest(prompt=prompt, params=GREEDY, adapter=ref.key)])
        assert loaded.adapter == ref and loaded.texts != startup.texts  # really another LoRA
        [again] = await engine.generate([GenerationRequest(prompt=prompt, params=GREEDY)])
        assert again.texts == startup.texts and again.adapter is not None and again.adapter.key == "math@v1"
        assert await engine.ensure_adapter("math", "v7", tmp_path / "trained" / "v7") == ref  # idempotent
        with pytest.raises(ServiceUnavailableError, match="already loaded from"):
            await engine.ensure_adapter("math", "v7", adapter_dir / "math" / "v1")
        for n in range(8, 8 + MAX_LOADED_ADAPTERS - 2):
            await engine.ensure_adapter("math", f"v{n}", tmp_path / "trained" / "v7")
        with pytest.raises(
            ServiceUnavailableError, match=f"{MAX_LOADED_ADAPTERS} adapters are already loaded"
        ):
            await engine.ensure_adapter("math", "v99", tmp_path / "trained" / "v7")
    finally:
        await engine.close()
