"""Persistence: SQLAlchemy 2.0 models, Alembic migrations, the engine and the audit trail.

Knows tables and files, nothing about HTTP or the plan's rules.
"""
