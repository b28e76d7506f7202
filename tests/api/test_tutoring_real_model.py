"""The real SmolLM2-135M through the app: whatever it writes, the learner only gets checked output.

Uses the model the real installer builds (``tutor models install``'s ``smollm2`` entry) into the
test model cache, once (``tests.fixtures.llm_default``). Short generations: this is a CPU.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from adapters.llm.install import smollm2_dir
from adapters.llm.testing import parse_sse
from tests.factories import World, auth_headers
from tests.fixtures.llm_default import smollm2_model_dir
from tutor.app import create_app
from tutor.settings import Settings


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "TUTOR_DATABASE_URL": db_url,
            "TUTOR_DATA_DIR": str(tmp_path / "data"),
            "TUTOR_JWT_SECRET": "test-secret-" + "x" * 32,
            "TUTOR_LLM_MODEL": str(smollm2_dir(smollm2_model_dir())),
            "TUTOR_LLM_ADAPTERS": "",
        }
    )


async def test_the_real_model_is_served_only_through_the_checker(settings: Settings, world: World) -> None:
    async with AsyncTestClient(app=create_app(settings)) as client:
        headers = auth_headers(settings, world.students[0])
        body = {"problem": "3x + 5 = 20", "lang": "en", "params": {"max_new_tokens": 24}}
        response = await client.post("/v1/solve/stream", json=body, headers=headers)
        assert response.status_code == 201, response.text
        events = parse_sse(response.text)
        assert "token" not in [e for e, _ in events]
        released = [json.loads(d) for e, d in events if e == "step"]
        assert all(s["verdict"] in ("valid", "explanation") for s in released)
        result = json.loads(events[-1][1])
        assert result["answer_correct"] is True
        if result["source"] != "solver":  # the model's own steps were served: every one checked
            assert all(s["verdict"] in ("valid", "explanation") for s in result["steps"])
        hint = await client.post(
            "/v1/hints",
            json={"problem": "3x + 5 = 20", "lang": "en", "params": {"max_new_tokens": 24}},
            headers=headers,
        )
        assert hint.status_code == 201 and "\\boxed" not in hint.json()["text"]
