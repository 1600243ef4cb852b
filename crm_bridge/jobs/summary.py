"""What a sync run did: counts per CRM and object, API calls, findings, record errors.

A :class:`RunSummary` is what ``crm-bridge sync --json`` prints and what the state store keeps
as the run's statistics.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeAlias

from crm_bridge.model import FieldChange, RecordRef

RunStatus: TypeAlias = Literal["running", "succeeded", "partial", "failed", "interrupted"]


@dataclass(slots=True)
class ObjectCounts:
    """Records read, records with changes, records written and records failed."""

    read: int = 0
    changed: int = 0
    written: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "changed": self.changed,
            "written": self.written,
            "failed": self.failed,
        }


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """A per-record error of a run: which record, which field, the CRM's code and message."""

    ref: RecordRef
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "record": str(self.ref),
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }


@dataclass(slots=True)
class RunSummary:
    """The outcome of one run of a job."""

    run_id: str
    job: str
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None = None
    status: RunStatus = "running"
    counts: dict[tuple[str, str], ObjectCounts] = field(
        default_factory=lambda: defaultdict(ObjectCounts)
    )
    api_calls: dict[str, int] = field(default_factory=dict)
    sla_breaches: int = 0
    sla_at_risk: int = 0
    stalled_deals: int = 0
    links_created: int = 0
    ambiguous_matches: int = 0
    fields_written: int = 0
    problems: list[RecordProblem] = field(default_factory=list)
    planned: list[FieldChange] = field(default_factory=list)
    error: str | None = None

    def count(self, crm: str, object_type: str) -> ObjectCounts:
        """The counters of one CRM object, created on first use."""
        return self.counts[(crm, object_type)]

    @property
    def failed_records(self) -> int:
        return sum(c.failed for c in self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (``crm-bridge sync --json``)."""
        by_crm: dict[str, dict[str, dict[str, int]]] = {}
        for (crm, obj), counts in sorted(self.counts.items()):
            by_crm.setdefault(crm, {})[obj] = counts.as_dict()
        return {
            "run_id": self.run_id,
            "job": self.job,
            "dry_run": self.dry_run,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "records": by_crm,
            "fields_written": self.fields_written,
            "planned_changes": len(self.planned),
            "api_calls": dict(sorted(self.api_calls.items())),
            "sla_breaches": self.sla_breaches,
            "sla_at_risk": self.sla_at_risk,
            "stalled_deals": self.stalled_deals,
            "links_created": self.links_created,
            "ambiguous_matches": self.ambiguous_matches,
            "record_errors": [p.as_dict() for p in self.problems[:100]],
            "record_errors_total": len(self.problems),
            "error": self.error,
        }
