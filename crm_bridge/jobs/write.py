"""The write stage: journalled, batched writes with audit, and crash recovery.

Each batch (at most the API maximum: 200 for Salesforce collections, 100 for HubSpot batch
updates) is journalled as *planned* before it is sent. When the CRM answers, the values written,
the audit entries (before -> after) and the record errors are stored in one transaction with
the batch marked *done*. A process killed between the two leaves a planned batch behind:
:func:`recover` reads those records back, and every planned value the CRM now holds is recorded
as written (with its audit entry) — so nothing is written twice and nothing goes unaudited;
values that did not land are simply planned again by the next diff.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from crm_bridge.jobs.diff import group_updates
from crm_bridge.jobs.schedule import StopToken
from crm_bridge.jobs.summary import RecordProblem, RunSummary
from crm_bridge.jobs.values import same_value
from crm_bridge.model import Crm, FieldChange, RecordRef, RecordUpdate, Value, WriteResult
from crm_bridge.state.rows import AuditEntry
from crm_bridge.state.store import StateStore

BATCH_MAX: Mapping[Crm, int] = {"salesforce": 200, "hubspot": 100}


def _batch_max() -> dict[Crm, int]:
    return dict(BATCH_MAX)


class WriteTarget(Protocol):
    """What the write stage needs of a connector (see :mod:`crm_bridge.connectors.base`)."""

    def write(self, object_type: str, updates: Iterable[RecordUpdate]) -> Iterable[WriteResult]: ...

    def read_current(
        self, object_type: str, ids: Sequence[str], fields: Sequence[str]
    ) -> Mapping[str, Mapping[str, Value]]: ...


@dataclass(slots=True)
class Writer:
    """Writes field changes for one run."""

    store: StateStore
    run_id: str
    targets: Mapping[Crm, WriteTarget]
    summary: RunSummary
    clock: Callable[[], datetime]
    stop: StopToken
    batch_sizes: Mapping[Crm, int] = field(default_factory=_batch_max)
    on_batch: Callable[[int], None] | None = None

    def write(self, changes: Sequence[FieldChange]) -> None:
        """Send ``changes``; per-record failures are recorded and never stop the rest."""
        befores = {(c.ref, c.field): c.before for c in changes}
        counter = 0
        for (crm, object_type), updates in group_updates(changes).items():
            size = min(self.batch_sizes.get(crm, BATCH_MAX[crm]), BATCH_MAX[crm])
            for start in range(0, len(updates), size):
                if self.stop.is_set():
                    return
                batch = updates[start : start + size]
                counter += 1
                self._send(crm, object_type, batch, befores, counter)
                if self.on_batch is not None:
                    self.on_batch(len(batch))

    def _send(
        self,
        crm: Crm,
        object_type: str,
        batch: list[RecordUpdate],
        befores: Mapping[tuple[RecordRef, str], Value],
        counter: int,
    ) -> None:
        batch_id = f"{self.run_id}-{crm}-{object_type}-{counter}"
        before = {(u.ref, f): befores.get((u.ref, f)) for u in batch for f in u.fields}
        self.store.journal_planned(self.run_id, batch_id, batch, before=before)
        results = {r.ref: r for r in self.targets[crm].write(object_type, batch)}
        at = self.clock()
        written: dict[tuple[RecordRef, str], Value] = {}
        audit: list[AuditEntry] = []
        problems: list[RecordProblem] = []
        counts = self.summary.count(crm, object_type)
        for update in batch:
            result = results.get(update.ref)
            if result is None or not result.ok:
                code = result.code if result is not None else "NO_RESULT"
                message = result.message if result is not None else "the CRM returned no result"
                fields = ", ".join(result.fields) if result and result.fields else ""
                problems.append(
                    RecordProblem(update.ref, fields or ", ".join(update.fields), code, message)
                )
                counts.failed += 1
                continue
            counts.written += 1
            for name, value in update.fields.items():
                written[(update.ref, name)] = value
                audit.append(
                    AuditEntry(update.ref, name, before.get((update.ref, name)), value, at)
                )
        self.store.complete_batch(
            self.run_id, batch_id, list(results.values()), written, audit, problems, at=at
        )
        self.summary.fields_written += len(written)
        self.summary.problems.extend(problems)


def recover(
    store: StateStore,
    job: str,
    run_id: str,
    targets: Mapping[Crm, WriteTarget],
    clock: Callable[[], datetime],
) -> int:
    """Settle the batches a killed run left *planned*; returns the number of fields recorded."""
    recorded = 0
    for batch in store.pending_batches(job):
        by_type: dict[tuple[Crm, str], list[RecordUpdate]] = {}
        for update in batch.updates:
            by_type.setdefault((update.ref.crm, update.ref.object_type), []).append(update)
        written: dict[tuple[RecordRef, str], Value] = {}
        audit: list[AuditEntry] = []
        at = clock()
        for (crm, object_type), updates in by_type.items():
            fields = sorted({f for u in updates for f in u.fields})
            current = targets[crm].read_current(object_type, [u.ref.id for u in updates], fields)
            for update in updates:
                now_values = current.get(update.ref.id, {})
                for name, value in update.fields.items():
                    if same_value(now_values.get(name), value):
                        written[(update.ref, name)] = value
                        before = batch.before.get((update.ref, name))
                        audit.append(AuditEntry(update.ref, name, before, value, at))
        if written:
            # the fields landed under the killed run: audit them there, so revert finds them
            store.complete_batch(batch.run_id, batch.batch_id, [], written, audit, at=at)
        else:
            store.journal_abandon(batch.batch_id, at=at)
        recorded += len(written)
    return recorded
