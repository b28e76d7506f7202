"""Reading ``seed_data/`` (YAML files shipped with the repository)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["SEED_DIR", "load_yaml"]

SEED_DIR = Path(__file__).resolve().parents[2] / "seed_data"


def load_yaml(name: str) -> Any:
    path = SEED_DIR / name
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)
