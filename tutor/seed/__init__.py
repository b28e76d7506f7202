"""Seed data: the curriculum, the verified item bank and a demo school."""
