"""Every controller the app serves. Areas add their controller here (one line each)."""

from __future__ import annotations

from typing import Any

from tutor.analytics.controllers import AnalyticsController
from tutor.attempts.controllers import AttemptController
from tutor.auth.controllers import AuthController
from tutor.classes.controllers import ClassController
from tutor.health.controllers import HealthController
from tutor.items.controllers import ItemController
from tutor.mastery.controllers import MasteryController
from tutor.practice.controllers import PracticeController
from tutor.recognition.controllers import RecognitionController

__all__ = ["ROUTE_HANDLERS"]

ROUTE_HANDLERS: list[Any] = [
    HealthController,
    AuthController,
    ClassController,
    ItemController,
    AttemptController,
    MasteryController,
    PracticeController,
    AnalyticsController,
    RecognitionController,
]
