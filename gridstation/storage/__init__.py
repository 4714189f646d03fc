"""Local storage: SQLAlchemy 2.0 typed ORM over SQLite, with Alembic migrations."""
