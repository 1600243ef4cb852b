"""The read stage: changed records from both CRMs, and the records they depend on.

Records are read page by page through the connectors (generators); this stage keeps only the
records of the current run in memory, keyed by ref. Cursors are the latest modification time
seen per (connection, object type); they are saved only after the run's writes are stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from crm_bridge.jobs.align import Rules
from crm_bridge.jobs.schedule import StopToken
from crm_bridge.jobs.summary import RunSummary
from crm_bridge.model import (
    ContactRole,
    Crm,
    ObjectKind,
    RecordRef,
    RecordUpdate,
    SourceRecord,
    WriteResult,
)

NATIVE_TYPES: Mapping[Crm, Mapping[ObjectKind, tuple[str, ...]]] = {
    "salesforce": {
        "person": ("Lead", "Contact"),
        "account": ("Account",),
        "opportunity": ("Opportunity",),
    },
    "hubspot": {"person": ("contacts",), "account": ("companies",), "opportunity": ("deals",)},
}


class SyncConnector(Protocol):
    """What the pipeline uses of a connector (:mod:`crm_bridge.connectors.base`)."""

    name: str
    crm: Crm

    def read(
        self, object_type: str, fields: Sequence[str], since: datetime | None
    ) -> Iterator[SourceRecord]: ...

    def read_ids(
        self, object_type: str, ids: Sequence[str], fields: Sequence[str]
    ) -> Iterator[SourceRecord]: ...

    def find_in(
        self, object_type: str, field: str, values: Sequence[str], fields: Sequence[str]
    ) -> Iterator[SourceRecord]: ...

    def read_contact_roles(
        self, opportunity_ids: Sequence[str] | None = None
    ) -> Iterator[ContactRole]: ...

    def write(self, object_type: str, updates: Iterable[RecordUpdate]) -> Iterator[WriteResult]: ...


def read_fields(rules: Rules, crm: Crm, object_type: str) -> list[str]:
    """Native fields to read: mapped fields, alignment fields (to diff) and lifecycle fields."""
    names = set(rules.fields.mapper(crm, object_type).fields.values())
    names.update(rules.fields.write_fields(crm, object_type).values())
    for stage in rules.funnel.order:
        names.update(rules.funnel.crm_values(stage, crm, object_type))
    return sorted(names)


@dataclass(slots=True)
class Pulled:
    """Records of one kind read in this run, and the new cursors."""

    records: dict[RecordRef, SourceRecord] = field(default_factory=dict)
    cursors: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def of(self, crm: Crm) -> list[SourceRecord]:
        return [r for ref, r in self.records.items() if ref.crm == crm]


def pull(
    connectors: Mapping[Crm, SyncConnector],
    rules: Rules,
    kind: ObjectKind,
    since: Callable[[str, str], datetime | None],
    summary: RunSummary,
    stop: StopToken,
    on_record: Callable[[], None] | None = None,
) -> Pulled:
    """Read the records of ``kind`` changed since each cursor from every connector."""
    out = Pulled()
    for crm, connector in connectors.items():
        for object_type in NATIVE_TYPES[crm][kind]:
            fields = read_fields(rules, crm, object_type)
            counts = summary.count(crm, object_type)
            latest = None
            for record in connector.read(object_type, fields, since(connector.name, object_type)):
                out.records[record.ref] = record
                counts.read += 1
                if latest is None or record.modified_at > latest:
                    latest = record.modified_at
                if on_record is not None:
                    on_record()
                if stop.is_set():
                    return out
            if latest is not None:
                out.cursors[(connector.name, object_type)] = latest
    return out


def fetch(
    connectors: Mapping[Crm, SyncConnector],
    rules: Rules,
    refs: Iterable[RecordRef],
    into: dict[RecordRef, SourceRecord],
    summary: RunSummary,
) -> int:
    """Read the records ``refs`` not yet in ``into`` by id (counterparts, dependencies)."""
    wanted: dict[tuple[Crm, str], list[str]] = {}
    for ref in refs:
        if ref not in into and ref.crm in connectors:
            wanted.setdefault((ref.crm, ref.object_type), []).append(ref.id)
    n = 0
    for (crm, object_type), ids in sorted(wanted.items()):
        fields = read_fields(rules, crm, object_type)
        for record in connectors[crm].read_ids(object_type, sorted(set(ids)), fields):
            into[record.ref] = record
            summary.count(crm, object_type).read += 1
            n += 1
    return n
