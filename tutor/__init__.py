"""Adaptive math tutoring backend."""
