"""API-wide pieces: problem+json errors, pagination, health."""
