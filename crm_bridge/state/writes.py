"""What crm-bridge wrote: the last value per (record, field) and the audit log of every
field write, with what ``revert RUN`` needs."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from crm_bridge.model import RecordRef, Value
from crm_bridge.state import schema
from crm_bridge.state.base import CHUNK, StoreBase, aware, chunked, group_refs
from crm_bridge.state.codec import decode_value, encode_value, make_ref
from crm_bridge.state.rows import AuditEntry, RevertItem

FieldKey = tuple[RecordRef, str]


class WriteStore(StoreBase):
    """Last written values and the audit log."""

    def last_written(
        self, refs: Iterable[RecordRef], fields: Collection[str] | None = None
    ) -> dict[FieldKey, Value]:
        """The last value written to each (record, field) of ``refs`` (only ``fields`` when
        given). Pairs never written are absent. Works in chunks for any number of refs."""
        groups = group_refs(refs)
        wanted = None if fields is None else sorted(set(fields))
        t = schema.written

        def work(conn: Connection) -> dict[FieldKey, Value]:
            out: dict[FieldKey, Value] = {}
            for (crm, object_type), ids in groups.items():
                for part in chunked(ids, CHUNK):
                    stmt = select(t.c.record_id, t.c.field, t.c.value).where(
                        t.c.crm == crm,
                        t.c.object_type == object_type,
                        self._in(t.c.record_id, part),
                    )
                    if wanted is not None:
                        stmt = stmt.where(t.c.field.in_(wanted))
                    for row in conn.execute(stmt):
                        ref = make_ref(crm, object_type, row.record_id)
                        out[(ref, row.field)] = decode_value(row.value)
            return out

        return self._read("reading last written values", work)

    def record_written(
        self, run_id: str, items: Mapping[FieldKey, Value], *, at: datetime | None = None
    ) -> int:
        """Remember ``items`` as the values written by ``run_id`` (replacing older ones).

        ``at`` defaults to the store's clock. Returns the number of (record, field) pairs.
        """
        when = aware(at, "write time") if at is not None else self.now()
        rows = [
            {
                "crm": ref.crm,
                "object_type": ref.object_type,
                "record_id": ref.id,
                "field": name,
                "value": encode_value(value),
                "run_id": run_id,
                "written_at": when,
            }
            for (ref, name), value in items.items()
        ]
        keys = ("crm", "object_type", "record_id", "field")

        def work(conn: Connection) -> int:
            self._upsert(conn, schema.written, rows, keys)
            return len(rows)

        return self._write("recording written values", work)

    def forget_written(self, refs: Iterable[RecordRef]) -> int:
        """Forget the last written values of ``refs`` (e.g. records deleted in the CRM)."""
        groups = group_refs(refs)
        t = schema.written

        def work(conn: Connection) -> int:
            count = 0
            for (crm, object_type), ids in groups.items():
                for part in chunked(ids, CHUNK):
                    count += conn.execute(
                        t.delete().where(
                            t.c.crm == crm,
                            t.c.object_type == object_type,
                            self._in(t.c.record_id, part),
                        )
                    ).rowcount
            return count

        return self._write("forgetting written values", work)

    def add_audit(self, run_id: str, entries: Iterable[AuditEntry]) -> int:
        """Append field writes of ``run_id`` to the audit log; returns how many."""
        rows = [
            {
                "run_id": run_id,
                "crm": e.ref.crm,
                "object_type": e.ref.object_type,
                "record_id": e.ref.id,
                "field": e.field,
                "before": encode_value(e.before),
                "after": encode_value(e.after),
                "at": aware(e.at, "audit time"),
            }
            for e in entries
        ]

        def work(conn: Connection) -> int:
            for batch in chunked(rows):
                conn.execute(schema.audit.insert(), batch)
            return len(rows)

        return self._write("writing the audit log", work)

    def _audit_pages(self, run_id: str) -> Iterator[list[Row[Any]]]:
        t = schema.audit
        last = 0
        while True:

            def work(conn: Connection, after: int = last) -> list[Row[Any]]:
                stmt = (
                    select(t)
                    .where(t.c.run_id == run_id, t.c.id > after)
                    .order_by(t.c.id)
                    .limit(CHUNK)
                )
                return list(conn.execute(stmt))

            rows = self._read("reading the audit log", work)
            if rows:
                yield rows
            if len(rows) < CHUNK:
                return
            last = rows[-1].id

    def iter_audit(self, run_id: str) -> Iterator[AuditEntry]:
        """The audit entries of ``run_id`` in the order written, page by page."""
        for rows in self._audit_pages(run_id):
            for row in rows:
                yield AuditEntry(
                    ref=make_ref(row.crm, row.object_type, row.record_id),
                    field=row.field,
                    before=decode_value(row.before),
                    after=decode_value(row.after),
                    at=row.at,
                )

    def revert_plan(self, run_id: str) -> Iterator[RevertItem]:
        """One :class:`RevertItem` per (record, field) ``run_id`` wrote, in audit order.

        For each, the newest value crm-bridge wrote afterwards (a later audit entry of
        another run, else the last-written value) tells whether the field changed since.
        """
        seen: set[tuple[str, str, str, str]] = set()
        for rows in self._audit_pages(run_id):
            first: dict[tuple[str, str, str, str], Row[Any]] = {}
            last: dict[tuple[str, str, str, str], Row[Any]] = {}
            for row in rows:
                key = (row.crm, row.object_type, row.record_id, row.field)
                if key in seen:
                    continue
                first.setdefault(key, row)
                last[key] = row
            later = self._later_writes(run_id, last)
            for key, head in first.items():
                seen.add(key)
                tail = last[key]
                after = decode_value(tail.after)
                ref = make_ref(*key[:3])
                newest = later.get(key)
                current, changed_by = (after, run_id) if newest is None else newest
                yield RevertItem(
                    ref=ref,
                    field=key[3],
                    before=decode_value(head.before),
                    after=after,
                    at=tail.at,
                    current=current,
                    changed_by=changed_by,
                    changed_since=encode_value(current) != tail.after,
                )

    def _later_writes(
        self, run_id: str, last: Mapping[tuple[str, str, str, str], Row[Any]]
    ) -> dict[tuple[str, str, str, str], tuple[Value, str]]:
        """Per key, the newest value (and its run) written after the run's own last entry."""
        a, w = schema.audit, schema.written
        by_type: dict[tuple[str, str], list[str]] = {}
        for crm, object_type, record_id, _field in last:
            by_type.setdefault((crm, object_type), []).append(record_id)

        def work(conn: Connection) -> dict[tuple[str, str, str, str], tuple[Value, str]]:
            out: dict[tuple[str, str, str, str], tuple[Value, str]] = {}
            newest_id: dict[tuple[str, str, str, str], int] = {}
            for (crm, object_type), ids in by_type.items():
                for part in chunked(sorted(set(ids)), CHUNK):
                    audit_rows = conn.execute(
                        select(a).where(
                            a.c.crm == crm,
                            a.c.object_type == object_type,
                            self._in(a.c.record_id, part),
                            a.c.run_id != run_id,
                        )
                    )
                    for row in audit_rows:
                        key = (crm, object_type, row.record_id, row.field)
                        mine = last.get(key)
                        if mine is None or row.id < mine.id or row.id < newest_id.get(key, 0):
                            continue
                        newest_id[key] = row.id
                        out[key] = (decode_value(row.after), row.run_id)
                    written_rows = conn.execute(
                        select(w).where(
                            w.c.crm == crm,
                            w.c.object_type == object_type,
                            self._in(w.c.record_id, part),
                            w.c.run_id != run_id,
                        )
                    )
                    for row in written_rows:
                        key = (crm, object_type, row.record_id, row.field)
                        if key in last and key not in out and row.written_at >= last[key].at:
                            out[key] = (decode_value(row.value), row.run_id)
            return out

        return self._read("reading later writes", work)
