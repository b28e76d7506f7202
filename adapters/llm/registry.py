"""Find LoRA adapters on disk: ``<adapter_dir>/<name>/<version>/adapter_config.json``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from adapters.llm.schemas import AdapterRef
from tutor.errors import ServiceUnavailableError, UnprocessableError

__all__ = ["parse_adapter_spec", "pick_adapter", "resolve_adapter_dirs"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def parse_adapter_spec(spec: str) -> tuple[str, str | None]:
    """``"math"`` -> ("math", None); ``"math@v2"`` -> ("math", "v2")."""
    name, _, version = spec.partition("@")
    if not _NAME.match(name) or (version and not _NAME.match(version)):
        raise ValueError(f"adapter spec {spec!r} must look like name or name@version")
    return name, version or None


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order so v10 sorts after v9."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", version) if p)


def resolve_adapter_dirs(adapter_dir: Path, specs: tuple[str, ...]) -> list[tuple[AdapterRef, Path]]:
    """Resolve each spec to a directory holding a peft adapter, in the order given."""
    found: list[tuple[AdapterRef, Path]] = []
    for spec in specs:
        name, version = parse_adapter_spec(spec)
        root = adapter_dir / name
        if version is None:
            versions = sorted(
                (p.name for p in root.iterdir() if (p / "adapter_config.json").is_file())
                if root.is_dir()
                else [],
                key=_version_key,
            )
            if not versions:
                raise ServiceUnavailableError(
                    f"No version of adapter {name!r} under {root}:"
                    f" expected {root}/<version>/adapter_config.json."
                    " Fix TUTOR_LLM_ADAPTER_DIR or TUTOR_LLM_ADAPTERS."
                )
            version = versions[-1]
        path = root / version
        if not (path / "adapter_config.json").is_file():
            raise ServiceUnavailableError(
                f"Adapter {name}@{version} not found at {path}."
                " Fix TUTOR_LLM_ADAPTER_DIR or TUTOR_LLM_ADAPTERS."
            )
        found.append((AdapterRef(name=name, version=version), path))
    return found


def pick_adapter(
    adapters: Mapping[str, AdapterRef], default: AdapterRef | None, requested: str | None, *, where: str
) -> AdapterRef | None:
    """A request's adapter: None -> the default, "" -> the bare base model, else ``name[@version]``."""
    if requested is None:
        return default
    if requested == "":
        return None
    name, version = parse_adapter_spec(requested) if "@" in requested else (requested, None)
    ref = adapters.get(name)
    if ref is None or (version is not None and version != ref.version):
        known = ", ".join(r.key for r in adapters.values()) or "none"
        raise UnprocessableError(
            f"Unknown adapter {requested!r}; {where} adapters: {known}.", field="adapter"
        )
    return ref
