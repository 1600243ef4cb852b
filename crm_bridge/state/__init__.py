"""The state store: what crm-bridge remembers between runs.

Cursors per (connection, object type), identity links across the two CRMs, the last value
written per (record, field), runs and their record errors, the audit log of every field
write (for ``revert``), the write journal (crash-safe write-back), SLA clocks and job locks.
SQLite by default (``<project>/.crm-bridge/state.db``, WAL mode), PostgreSQL by URL; the
schema is migrated with Alembic when the store is opened.

>>> store = open_store(default_state_url(project_dir))  # doctest: +SKIP
"""

from crm_bridge.state.engine import default_state_url, mask_url
from crm_bridge.state.links import LinkConflict
from crm_bridge.state.migrate import head_revision
from crm_bridge.state.rows import (
    AuditEntry,
    Cursor,
    Link,
    LinkMethod,
    LockInfo,
    PlannedBatch,
    RecordErrorEntry,
    RevertItem,
    RunInfo,
    RunStatus,
)
from crm_bridge.state.runs import new_run_id
from crm_bridge.state.store import StateStore, open_store

__all__ = [
    "AuditEntry",
    "Cursor",
    "Link",
    "LinkConflict",
    "LinkMethod",
    "LockInfo",
    "PlannedBatch",
    "RecordErrorEntry",
    "RevertItem",
    "RunInfo",
    "RunStatus",
    "StateStore",
    "default_state_url",
    "head_revision",
    "mask_url",
    "new_run_id",
    "open_store",
]
