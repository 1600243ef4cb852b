"""The state store's tables (SQLAlchemy Core). Migrations in ``migrations/versions`` create
them; a test checks that the migrated database matches this metadata exactly.

Records are identified by three columns ``crm``, ``object_type``, ``record_id``. Field values
are canonical tagged JSON text (:mod:`crm_bridge.state.codec`). Times are aware UTC
(:class:`UtcDateTime`: ``timestamptz`` on PostgreSQL, fixed-width UTC text on SQLite, so
ordering and comparison work in SQL on both).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime. Naive datetimes are refused when stored."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to the state store")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: 64-bit autoincrement key (SQLite needs INTEGER PRIMARY KEY for its rowid alias).
BigId = BigInteger().with_variant(Integer(), "sqlite")

ID = 255  # length of crm / object type / record id / field / job / owner columns

cursors = Table(
    "cursors",
    metadata,
    Column("connection", String(ID), primary_key=True),
    Column("object_type", String(ID), primary_key=True),
    Column("cursor_at", UtcDateTime(), nullable=False),
    Column("token", Text(), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)

links = Table(
    "links",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("sf_type", String(ID), nullable=False),
    Column("sf_id", String(ID), nullable=False),
    Column("hs_type", String(ID), nullable=False),
    Column("hs_id", String(ID), nullable=False),
    Column("method", String(32), nullable=False),
    Column("linked_at", UtcDateTime(), nullable=False),
    UniqueConstraint("sf_type", "sf_id"),
    UniqueConstraint("hs_type", "hs_id"),
    Index(None, "kind", "id"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("job", String(ID), nullable=False),
    Column("mode", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("owner", String(ID), nullable=True),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime(), nullable=True),
    Column("stats", Text(), nullable=False),
    Column("error", Text(), nullable=True),
    Index(None, "job", "started_at"),
    Index(None, "started_at"),
)

run_errors = Table(
    "run_errors",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("run_id", String(64), ForeignKey("runs.id"), nullable=False),
    Column("crm", String(32), nullable=False),
    Column("object_type", String(ID), nullable=False),
    Column("record_id", String(ID), nullable=False),
    Column("field", String(ID), nullable=False),
    Column("code", String(ID), nullable=False),
    Column("message", Text(), nullable=False),
    Index(None, "run_id", "id"),
)

written = Table(
    "written",
    metadata,
    Column("crm", String(32), primary_key=True),
    Column("object_type", String(ID), primary_key=True),
    Column("record_id", String(ID), primary_key=True),
    Column("field", String(ID), primary_key=True),
    Column("value", Text(), nullable=False),
    Column("run_id", String(64), ForeignKey("runs.id"), nullable=False),
    Column("written_at", UtcDateTime(), nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("run_id", String(64), ForeignKey("runs.id"), nullable=False),
    Column("crm", String(32), nullable=False),
    Column("object_type", String(ID), nullable=False),
    Column("record_id", String(ID), nullable=False),
    Column("field", String(ID), nullable=False),
    Column("before", Text(), nullable=False),
    Column("after", Text(), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Index(None, "run_id", "id"),
    Index(None, "crm", "object_type", "record_id", "field", "id"),
)

journal = Table(
    "journal",
    metadata,
    Column("batch_id", String(128), primary_key=True),
    Column("run_id", String(64), ForeignKey("runs.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("planned_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime(), nullable=True),
    Column("updates", Text(), nullable=False),
    Column("results", Text(), nullable=True),
    Index(None, "status", "run_id"),
)

sla_clocks = Table(
    "sla_clocks",
    metadata,
    Column("crm", String(32), primary_key=True),
    Column("object_type", String(ID), primary_key=True),
    Column("record_id", String(ID), primary_key=True),
    Column("policy", String(ID), primary_key=True),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("due_at", UtcDateTime(), nullable=False),
    Column("at_risk_at", UtcDateTime(), nullable=False),
    Column("stopped_at", UtcDateTime(), nullable=True),
    Column("state", String(16), nullable=False),
    Column("breached_at", UtcDateTime(), nullable=True),
    Index(None, "state"),
)

locks = Table(
    "locks",
    metadata,
    Column("job", String(ID), primary_key=True),
    Column("owner", String(ID), nullable=False),
    Column("acquired_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)
