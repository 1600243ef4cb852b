"""The connector protocol: the only surface through which crm-bridge talks to a CRM.

Both :class:`~crm_bridge.connectors.salesforce.SalesforceConnector` and
:class:`~crm_bridge.connectors.hubspot.HubSpotConnector` implement :class:`Connector`. Reads are
generators (page by page); writes yield one :class:`~crm_bridge.model.WriteResult` per input.
Vendor exceptions never cross this surface: they become :mod:`crm_bridge.errors` types.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol, TypeAlias

from crm_bridge.model import ContactRole, Crm, RecordUpdate, SourceRecord, Value, WriteResult

#: Field types alignment fields can have (same vocabulary as ``mappings/fields.yaml``).
SpecType: TypeAlias = Literal["string", "int", "float", "bool", "date", "datetime", "list"]

#: Default lookback for incremental reads (late-visible changes).
DEFAULT_LOOKBACK = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One field/property as the CRM describes it."""

    name: str
    type: str
    updateable: bool
    createable: bool
    options: tuple[str, ...] = ()
    custom: bool = False
    label: str = ""


@dataclass(frozen=True, slots=True)
class ObjectDescription:
    """An object's fields, by native name."""

    object_type: str
    fields: Mapping[str, FieldInfo]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """An alignment field to create if missing (native name for this CRM)."""

    name: str
    type: SpecType = "string"
    label: str = ""
    length: int | None = None
    options: tuple[str, ...] = ()


@dataclass(slots=True)
class CheckReport:
    """Outcome of :meth:`Connector.check` for one connection."""

    name: str
    crm: Crm
    auth_ok: bool = False
    error: str = ""
    missing_fields: dict[str, list[str]] = field(default_factory=dict)
    not_updateable: dict[str, list[str]] = field(default_factory=dict)
    budget_remaining: int | None = None
    budget_max: int | None = None

    @property
    def ok(self) -> bool:
        """True when authenticated and every required field exists and is updateable."""
        return (
            self.auth_ok
            and not any(self.missing_fields.values())
            and not any(self.not_updateable.values())
        )


@dataclass(slots=True)
class ConnectorStats:
    """Counters a connector keeps for the run summary and benchmarks."""

    by_endpoint: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    rate_limited: int = 0
    records_read: int = 0
    records_written: int = 0

    @property
    def calls(self) -> int:
        """Total API calls made (every attempt, including retried ones)."""
        return sum(self.by_endpoint.values())


class Connector(Protocol):
    """What the sync pipeline calls on a CRM connection."""

    name: str
    crm: Crm

    def read(
        self, object_type: str, fields: Sequence[str], since: datetime | None
    ) -> Iterator[SourceRecord]:
        """Records changed since ``since`` (minus the lookback), or all when ``None``."""
        ...

    def read_ids(
        self, object_type: str, ids: Sequence[str], fields: Sequence[str]
    ) -> Iterator[SourceRecord]:
        """The given records (missing ids are skipped), in batches."""
        ...

    def read_current(
        self, object_type: str, ids: Sequence[str], fields: Sequence[str]
    ) -> Mapping[str, Mapping[str, Value]]:
        """Current values of ``fields`` for ``ids`` (for revert and write verification)."""
        ...

    def find(
        self, object_type: str, field: str, value: str, fields: Sequence[str]
    ) -> Iterator[SourceRecord]:
        """Records whose native ``field`` equals ``value`` (e.g. a person by email)."""
        ...

    def find_in(
        self, object_type: str, field: str, values: Sequence[str], fields: Sequence[str]
    ) -> Iterator[SourceRecord]:
        """Records whose native ``field`` is one of ``values`` (batched; e.g. people by email)."""
        ...

    def read_contact_roles(
        self, opportunity_ids: Sequence[str] | None = None
    ) -> Iterator[ContactRole]:
        """Contacts on opportunities with their roles."""
        ...

    def write(self, object_type: str, updates: Iterable[RecordUpdate]) -> Iterator[WriteResult]:
        """Apply updates in API-max batches; one result per input record."""
        ...

    def describe(self, object_type: str) -> ObjectDescription:
        """Fields of ``object_type``."""
        ...

    def ensure_fields(self, object_type: str, specs: Sequence[FieldSpec]) -> list[str]:
        """Create missing alignment fields; return the names created (idempotent)."""
        ...

    def check(self, required: Mapping[str, Sequence[str]]) -> CheckReport:
        """Authentication, field existence/updateability for ``required``, API budget."""
        ...

    @property
    def stats(self) -> ConnectorStats:
        """Counters since the connector was opened."""
        ...


def chunks(items: Iterable[RecordUpdate], size: int) -> Iterator[list[RecordUpdate]]:
    """Consecutive lists of at most ``size`` items (lazy)."""
    batch: list[RecordUpdate] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def id_chunks(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """Slices of ``ids`` of at most ``size``."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
