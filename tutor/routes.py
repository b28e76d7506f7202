"""Every controller the app serves. Areas add their controller here (one line each)."""

from __future__ import annotations

from typing import Any

from tutor.analytics.controllers import AnalyticsController, ItemDriftController
from tutor.attempts.controllers import AttemptController
from tutor.audit.controllers import AuditController
from tutor.audit.review_controllers import ReviewController
from tutor.auth.controllers import AuthController
from tutor.classes.controllers import ClassController
from tutor.confusion.controllers import ConfusionController
from tutor.health.controllers import HealthController
from tutor.items.controllers import ItemController
from tutor.mastery.controllers import MasteryController
from tutor.math.controllers import MathController
from tutor.practice.controllers import PracticeController
from tutor.privacy.controllers import LearnerPrivacyController
from tutor.recognition.controllers import RecognitionController
from tutor.training.controllers import TrainingController
from tutor.tutoring.controllers import TUTORING_ROUTES

__all__ = ["ROUTE_HANDLERS"]

ROUTE_HANDLERS: list[Any] = [
    HealthController,
    AuthController,
    ClassController,
    ItemController,
    AttemptController,
    MasteryController,
    MathController,
    PracticeController,
    AnalyticsController,
    ItemDriftController,
    RecognitionController,
    ConfusionController,
    *TUTORING_ROUTES,
    AuditController,
    ReviewController,
    LearnerPrivacyController,
    TrainingController,
]
