"""Confusion: a documented heuristic over how a question was said and how the learner is doing.

Not a trained classifier (there is no labelled data to train or validate one); a weighted mean of
named signals with fixed thresholds (``tutor.confusion.score``), stored with the spoken question or
the attempt and shown only to the learner's teachers when the guardian consented to analytics.
"""

from __future__ import annotations

__all__: list[str] = []
