"""The database: engine, sessions, the declarative base and the Alembic migrations."""
