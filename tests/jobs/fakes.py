"""An in-memory CRM connector for unit tests of the pipeline logic (the end-to-end tests run
against the sandbox through the real connectors)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta

from crm_bridge.model import ContactRole, RecordRef, RecordUpdate, SourceRecord, WriteResult


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class FakeConnector:
    def __init__(self, crm, clock, name=None):
        self.crm = crm
        self.name = name or crm
        self.clock = clock
        self.tables: dict[str, dict[str, dict]] = {}
        self.modified: dict[tuple[str, str], datetime] = {}
        self.roles: list[ContactRole] = []
        self.fail_ids: set[str] = set()
        self.writes: list[tuple[str, str, dict]] = []
        self.finds: list[tuple[str, str, tuple[str, ...]]] = []

    def put(self, object_type, id_, **fields):
        self.tables.setdefault(object_type, {}).setdefault(id_, {}).update(fields)
        self.modified[(object_type, id_)] = self.clock()

    def _record(self, object_type, id_):
        return SourceRecord(
            ref=RecordRef(self.crm, object_type, id_),
            modified_at=self.modified[(object_type, id_)],
            fields=dict(self.tables[object_type][id_]),
        )

    def read(self, object_type, fields, since) -> Iterator[SourceRecord]:
        rows = self.tables.get(object_type, {})
        for id_ in sorted(rows, key=lambda i: self.modified[(object_type, i)]):
            if since is None or self.modified[(object_type, id_)] >= since:
                yield self._record(object_type, id_)

    def read_ids(self, object_type, ids, fields) -> Iterator[SourceRecord]:
        for id_ in ids:
            if id_ in self.tables.get(object_type, {}):
                yield self._record(object_type, id_)

    def find_in(self, object_type, field, values, fields) -> Iterator[SourceRecord]:
        self.finds.append((object_type, field, tuple(values)))
        wanted = {str(v).strip().lower() for v in values}
        for id_, row in self.tables.get(object_type, {}).items():
            if str(row.get(field) or "").strip().lower() in wanted:
                yield self._record(object_type, id_)

    def read_contact_roles(self, opportunity_ids=None) -> Iterator[ContactRole]:
        for role in self.roles:
            if opportunity_ids is None or role.opportunity.id in opportunity_ids:
                yield role

    def write(self, object_type, updates: Iterable[RecordUpdate]) -> Iterator[WriteResult]:
        for update in updates:
            if update.ref.id in self.fail_ids:
                yield WriteResult(
                    update.ref, False, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "nope", ()
                )
                continue
            self.writes.append((object_type, update.ref.id, dict(update.fields)))
            self.put(object_type, update.ref.id, **update.fields)
            yield WriteResult(update.ref, True)

    def read_current(self, object_type, ids: Sequence[str], fields):
        rows = self.tables.get(object_type, {})
        return {i: dict(rows[i]) for i in ids if i in rows}
