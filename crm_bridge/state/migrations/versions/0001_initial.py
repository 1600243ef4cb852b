"""Initial state store: cursors, links, runs, run errors, written values, audit, write
journal, SLA clocks and job locks.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crm_bridge.state.schema import UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = 255
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _record(*, pk: bool) -> list[sa.Column[str]]:
    return [
        sa.Column("crm", sa.String(32), primary_key=pk, nullable=False),
        sa.Column("object_type", sa.String(ID), primary_key=pk, nullable=False),
        sa.Column("record_id", sa.String(ID), primary_key=pk, nullable=False),
        sa.Column("field", sa.String(ID), primary_key=pk, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "cursors",
        sa.Column("connection", sa.String(ID), nullable=False),
        sa.Column("object_type", sa.String(ID), nullable=False),
        sa.Column("cursor_at", UtcDateTime(), nullable=False),
        sa.Column("token", sa.Text(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("connection", "object_type", name="pk_cursors"),
    )
    op.create_table(
        "links",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("sf_type", sa.String(ID), nullable=False),
        sa.Column("sf_id", sa.String(ID), nullable=False),
        sa.Column("hs_type", sa.String(ID), nullable=False),
        sa.Column("hs_id", sa.String(ID), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("linked_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_links"),
        sa.UniqueConstraint("sf_type", "sf_id", name="uq_links_sf_type_sf_id"),
        sa.UniqueConstraint("hs_type", "hs_id", name="uq_links_hs_type_hs_id"),
    )
    op.create_index("ix_links_kind_id", "links", ["kind", "id"])
    op.create_table(
        "runs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("job", sa.String(ID), nullable=False),
        sa.Column("mode", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(ID), nullable=True),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("stats", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_job_started_at", "runs", ["job", "started_at"])
    op.create_index("ix_runs_started_at", "runs", ["started_at"])
    op.create_table(
        "run_errors",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        *_record(pk=False),
        sa.Column("code", sa.String(ID), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_run_errors"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_run_errors_run_id_runs"),
    )
    op.create_index("ix_run_errors_run_id_id", "run_errors", ["run_id", "id"])
    op.create_table(
        "written",
        *_record(pk=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("written_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("crm", "object_type", "record_id", "field", name="pk_written"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_written_run_id_runs"),
    )
    op.create_table(
        "audit",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        *_record(pk=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_audit_run_id_runs"),
    )
    op.create_index("ix_audit_run_id_id", "audit", ["run_id", "id"])
    op.create_index(
        "ix_audit_crm_object_type_record_id_field_id",
        "audit",
        ["crm", "object_type", "record_id", "field", "id"],
    )
    op.create_table(
        "journal",
        sa.Column("batch_id", sa.String(128), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("planned_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
        sa.Column("updates", sa.Text(), nullable=False),
        sa.Column("results", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", name="pk_journal"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_journal_run_id_runs"),
    )
    op.create_index("ix_journal_status_run_id", "journal", ["status", "run_id"])
    op.create_table(
        "sla_clocks",
        sa.Column("crm", sa.String(32), nullable=False),
        sa.Column("object_type", sa.String(ID), nullable=False),
        sa.Column("record_id", sa.String(ID), nullable=False),
        sa.Column("policy", sa.String(ID), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("at_risk_at", UtcDateTime(), nullable=False),
        sa.Column("stopped_at", UtcDateTime(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("breached_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("crm", "object_type", "record_id", "policy", name="pk_sla_clocks"),
    )
    op.create_index("ix_sla_clocks_state", "sla_clocks", ["state"])
    op.create_table(
        "locks",
        sa.Column("job", sa.String(ID), nullable=False),
        sa.Column("owner", sa.String(ID), nullable=False),
        sa.Column("acquired_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("job", name="pk_locks"),
    )


def downgrade() -> None:
    for table in (
        "locks",
        "sla_clocks",
        "journal",
        "audit",
        "written",
        "run_errors",
        "runs",
        "links",
        "cursors",
    ):
        op.drop_table(table)
