"""Background jobs on SAQ's PostgreSQL queue (no Redis): training, fitting, retention, exports."""
