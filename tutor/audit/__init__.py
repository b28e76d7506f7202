"""Tamper-evident audit log: a hash chain over canonical JSON, written in the caller's transaction."""
