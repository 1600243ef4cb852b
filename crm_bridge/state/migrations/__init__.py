"""Alembic migrations of the state store (run by :func:`crm_bridge.state.migrate.upgrade`)."""
