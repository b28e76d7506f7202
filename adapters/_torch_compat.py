"""Work around the CPU-only torchvision trap before torchvision is first imported.

The registry's torchvision wheel is a CUDA build; next to CPU torch its ``_C.so`` fails to load
silently and ``torchvision/_meta_registrations.py`` then raises ``operator torchvision::nms does not
exist``. transformers imports torchvision lazily inside model code, so this breaks peft, BLOOM/LLaMA
classes, timm and pix2tex too. Defining the two operator schemas torchvision registers fakes for lets
its pure-Python parts import. On a machine where the real ops exist nothing is done.
"""

from __future__ import annotations

import os

__all__ = ["ensure_torchvision_ops", "offline_model_env"]

_done = False


def offline_model_env() -> None:
    """Keep libraries from phoning home: no model hub, no update checks."""
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def ensure_torchvision_ops() -> None:
    """Register ``torchvision::nms``/``qnms`` schemas when torchvision's C extension is unusable."""
    global _done
    if _done:
        return
    offline_model_env()
    import torch

    try:
        torch.ops.torchvision.nms  # noqa: B018 - attribute access is the probe
    except (AttributeError, RuntimeError):
        lib = torch.library.Library("torchvision", "FRAGMENT")
        lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        lib.define(
            "qnms(Tensor dets, Tensor scores, float iou_threshold, float scale, int zero_point) -> Tensor"
        )
        # keep a reference so the fragment stays registered for the process lifetime
        globals()["_torchvision_fragment"] = lib
    _done = True
