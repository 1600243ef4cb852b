"""Alembic migrations run programmatically: no ``alembic.ini`` is needed at runtime.

:func:`upgrade` brings a database to the newest revision. It is idempotent and safe when two
processes open the same store at once: the upgrade runs in one transaction that first takes a
database-wide lock (``BEGIN IMMEDIATE`` on SQLite, an advisory transaction lock on
PostgreSQL), and both databases run DDL transactionally, so the second process finds the
schema already at head and does nothing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, text

from crm_bridge.errors import StateError
from crm_bridge.state.engine import WRITE_OPTION, mask_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: Key of the PostgreSQL advisory lock that serialises migrations ("crmb" in ASCII).
_ADVISORY_KEY = 0x63726D62


def alembic_config() -> Config:
    """An Alembic :class:`Config` pointing at the packaged migrations folder."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of crm-bridge."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StateError("no state-store migrations found in the installed package")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
        conn.rollback()
    return heads[0] if len(heads) == 1 else None


def upgrade(engine: Engine) -> None:
    """Migrate the database behind ``engine`` to head; do nothing if it is there already."""
    head = head_revision()
    if current_revision(engine) == head:
        return
    config = alembic_config()
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})
            config.attributes["connection"] = conn
            try:
                command.upgrade(config, "head")
            except CommandError as exc:
                raise StateError(
                    f"state store {mask_url(engine.url)}: cannot migrate ({exc}); the database "
                    "may have been created by a newer crm-bridge"
                ) from exc
