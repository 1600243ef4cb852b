"""Typed values the state store takes and returns (no untyped dicts cross its boundary)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, TypeAlias

from crm_bridge.model import ObjectKind, RecordRef, RecordUpdate, Value

#: How two records were found to be the same person / company / deal (a superset of
#: ``crm_bridge.mapping.identity.LinkMethod``): ``converted`` is a link moved by a Salesforce
#: lead conversion, ``crm_id_property`` / ``hubspot_sf_property`` a CRM field holding the
#: other CRM's id.
LinkMethod: TypeAlias = Literal[
    "stored",
    "converted",
    "written_id",
    "crm_id_property",
    "hubspot_sf_property",
    "email",
    "domain",
]
LINK_METHODS: tuple[str, ...] = (
    "stored",
    "converted",
    "written_id",
    "crm_id_property",
    "hubspot_sf_property",
    "email",
    "domain",
)

#: Status of a run. ``interrupted``: a run left ``running`` whose job lock expired and was
#: taken over by another run.
RunStatus: TypeAlias = Literal["running", "succeeded", "partial", "failed", "interrupted"]
RUN_STATUSES: tuple[str, ...] = ("running", "succeeded", "partial", "failed", "interrupted")
FinalStatus: TypeAlias = Literal["succeeded", "partial", "failed", "interrupted"]

#: Status of a write-journal batch.
BatchStatus: TypeAlias = Literal["planned", "done", "abandoned"]


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the incremental read of one (connection, object type) stopped.

    ``at`` is the modification time up to which records were read (aware UTC); ``token`` an
    optional opaque string the connector may need (e.g. the id of the last record read).
    """

    at: datetime
    token: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """One Salesforce record and one HubSpot record known to be the same thing."""

    kind: ObjectKind
    salesforce: RecordRef
    hubspot: RecordRef
    method: LinkMethod
    linked_at: datetime

    def other(self, ref: RecordRef) -> RecordRef:
        """The side of the link that is not ``ref``."""
        return self.hubspot if ref == self.salesforce else self.salesforce


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One run of a job as stored. ``stats`` is the JSON object given to ``finish_run``."""

    run_id: str
    job: str
    mode: str
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    stats: dict[str, Any]
    error: str | None
    owner: str | None


class RecordProblemLike(Protocol):
    """Anything with a record, a field, a code and a message (e.g. ``jobs.summary.RecordProblem``)."""

    @property
    def ref(self) -> RecordRef: ...
    @property
    def field(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RecordErrorEntry:
    """A per-record error stored for a run (same attribute names as ``RecordProblemLike``)."""

    ref: RecordRef
    field: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One field write: the value before and after, and when it was written."""

    ref: RecordRef
    field: str
    before: Value
    after: Value
    at: datetime


@dataclass(frozen=True, slots=True)
class RevertItem:
    """What ``revert RUN`` needs for one (record, field) the run wrote.

    ``before`` / ``after`` are the run's first before and last after value for the field.
    ``current`` is the newest value crm-bridge knows it wrote since (a later audit entry or the
    last-written value), ``changed_by`` the run that wrote it. ``changed_since`` is true when
    that value differs from ``after``: a revert must skip and report the field. (A change
    made by a person in the CRM is not known here: compare with the CRM's current value too.)
    """

    ref: RecordRef
    field: str
    before: Value
    after: Value
    at: datetime
    current: Value
    changed_by: str | None
    changed_since: bool


@dataclass(frozen=True, slots=True)
class PlannedBatch:
    """A write batch journalled as planned whose outcome was never recorded.

    ``before`` holds the values the fields had before the write, as given to
    ``journal_planned`` (for the audit entries of writes found to have landed).
    """

    batch_id: str
    run_id: str
    job: str
    planned_at: datetime
    updates: list[RecordUpdate] = field(default_factory=list)
    before: dict[tuple[RecordRef, str], Value] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LockInfo:
    """The current holder of a job lock."""

    job: str
    owner: str
    acquired_at: datetime
    expires_at: datetime
