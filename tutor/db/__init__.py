"""Database layer: typed models, engine and sessions, the embedded server, migrations."""
