"""Learner privacy: guardian consent, access requests, erasure, retention and rate limits."""
