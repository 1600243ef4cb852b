"""The write journal that makes write-back crash-safe.

Before a batch is sent to a CRM it is journalled as ``planned`` (:meth:`journal_planned`).
When the CRM answers, :meth:`complete_batch` marks it ``done`` in the same transaction that
records the written values and the audit entries. If the process dies in between (even
``kill -9``), the next run finds the batch in :meth:`pending_batches`, re-reads those records
from the CRM to learn which writes landed, and then completes the batch with what it found
(or :meth:`journal_abandon` s it if nothing landed): no write is lost or sent twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from crm_bridge.errors import StateError
from crm_bridge.model import RecordUpdate, Value, WriteResult
from crm_bridge.state import schema
from crm_bridge.state.base import StoreBase, aware
from crm_bridge.state.codec import (
    decode_fields,
    dumps,
    encode_fields,
    ref_from_json,
    ref_to_json,
)
from crm_bridge.state.rows import AuditEntry, PlannedBatch, RecordProblemLike
from crm_bridge.state.runs import RunStore
from crm_bridge.state.writes import FieldKey, WriteStore


def _result_json(result: WriteResult) -> dict[str, Any]:
    return {
        "ref": ref_to_json(result.ref),
        "ok": result.ok,
        "code": result.code,
        "message": result.message,
        "fields": list(result.fields),
    }


class JournalStore(WriteStore, RunStore, StoreBase):
    """Planned and completed write batches."""

    def journal_planned(
        self,
        run_id: str,
        batch_id: str,
        updates: Sequence[RecordUpdate],
        *,
        before: Mapping[FieldKey, Value] | None = None,
        at: datetime | None = None,
    ) -> None:
        """Journal ``updates`` as batch ``batch_id`` of ``run_id``, about to be sent.

        ``batch_id`` must be unique across runs (e.g. ``f"{run_id}-{n}"``). ``before`` holds
        the values the fields had when the change was planned, so a batch recovered after a
        crash can still be audited (and reverted) exactly.
        """
        when = aware(at, "journal time") if at is not None else self.now()
        prior = before or {}
        payload = dumps(
            [
                {
                    "ref": ref_to_json(u.ref),
                    "fields": encode_fields(u.fields),
                    "before": encode_fields(
                        {f: prior[(u.ref, f)] for f in u.fields if (u.ref, f) in prior}
                    ),
                }
                for u in updates
            ]
        )

        def work(conn: Connection) -> None:
            exists = conn.execute(
                select(schema.journal.c.batch_id).where(schema.journal.c.batch_id == batch_id)
            ).first()
            if exists is not None:
                raise StateError(f"write batch {batch_id!r} is already journalled")
            conn.execute(
                schema.journal.insert(),
                {
                    "batch_id": batch_id,
                    "run_id": run_id,
                    "status": "planned",
                    "planned_at": when,
                    "finished_at": None,
                    "updates": payload,
                    "results": None,
                },
            )

        self._write("journalling a write batch", work)

    def _finish_batch(
        self, conn: Connection, batch_id: str, status: str, results: str | None, at: datetime
    ) -> None:
        t = schema.journal
        done = conn.execute(
            t.update()
            .where(t.c.batch_id == batch_id, t.c.status == "planned")
            .values(status=status, results=results, finished_at=at)
        )
        if done.rowcount != 1:
            found = conn.execute(select(t.c.status).where(t.c.batch_id == batch_id)).scalar()
            what = "not journalled" if found is None else f"already {found}"
            raise StateError(f"write batch {batch_id!r} is {what}")

    def journal_done(
        self, batch_id: str, results: Iterable[WriteResult], *, at: datetime | None = None
    ) -> None:
        """Mark batch ``batch_id`` done with the CRM's per-record ``results``.

        Call it inside :meth:`transaction` together with :meth:`record_written` and
        :meth:`add_audit`, or use :meth:`complete_batch`, which does all three atomically.
        """
        when = aware(at, "journal time") if at is not None else self.now()
        text = dumps([_result_json(r) for r in results])
        self._write(
            "completing a write batch",
            lambda conn: self._finish_batch(conn, batch_id, "done", text, when),
        )

    def journal_abandon(self, batch_id: str, *, at: datetime | None = None) -> None:
        """Close a planned batch none of whose writes landed (the next diff plans them again)."""
        when = aware(at, "journal time") if at is not None else self.now()
        self._write(
            "abandoning a write batch",
            lambda conn: self._finish_batch(conn, batch_id, "abandoned", None, when),
        )

    def complete_batch(
        self,
        run_id: str,
        batch_id: str,
        results: Iterable[WriteResult],
        written: Mapping[FieldKey, Value],
        audit: Iterable[AuditEntry],
        errors: Iterable[RecordProblemLike] = (),
        *,
        at: datetime | None = None,
    ) -> None:
        """In one transaction (retried as a whole on lock contention): mark the batch done,
        record the values written, append the audit entries and the record errors."""
        results, audit, errors = list(results), list(audit), list(errors)

        def work(_conn: Connection) -> None:
            self.journal_done(batch_id, results, at=at)
            self.record_written(run_id, written, at=at)
            self.add_audit(run_id, audit)
            self.add_record_errors(run_id, errors)

        self._write("completing a write batch", work)

    def pending_batches(self, job: str) -> list[PlannedBatch]:
        """Batches of runs of ``job`` journalled as planned but never completed, oldest first."""
        j, r = schema.journal, schema.runs

        def work(conn: Connection) -> list[PlannedBatch]:
            rows = conn.execute(
                select(j.c.batch_id, j.c.run_id, j.c.planned_at, j.c.updates)
                .join(r, r.c.id == j.c.run_id)
                .where(j.c.status == "planned", r.c.job == job)
                .order_by(j.c.planned_at, j.c.batch_id)
            )
            out = []
            for row in rows:
                updates: list[RecordUpdate] = []
                before: dict[FieldKey, Value] = {}
                for u in json.loads(row.updates):
                    ref = ref_from_json(u["ref"])
                    updates.append(RecordUpdate(ref, decode_fields(u["fields"])))
                    for name, value in decode_fields(u.get("before", {})).items():
                        before[(ref, name)] = value
                out.append(
                    PlannedBatch(row.batch_id, row.run_id, job, row.planned_at, updates, before)
                )
            return out

        return self._read("reading pending write batches", work)

    def prune_journal(self, before: datetime) -> int:
        """Delete done and abandoned batches finished before ``before``; returns how many."""
        aware(before, "prune time")
        t = schema.journal

        def work(conn: Connection) -> int:
            return conn.execute(
                t.delete().where(t.c.status != "planned", t.c.finished_at < before)
            ).rowcount

        return self._write("pruning the write journal", work)
