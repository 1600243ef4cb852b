"""``crm-bridge revert RUN_ID``: write back the values a run replaced.

Every field the run wrote goes back to its *before* value, unless it changed since: a later
crm-bridge run wrote it again, or someone edited it in the CRM (its current value is no longer
what the run wrote). Those fields are skipped and reported. The revert is itself a run, with
its own audit trail, so it can be reverted too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crm_bridge.errors import ConfigError, LockHeld
from crm_bridge.jobs.schedule import StopToken
from crm_bridge.jobs.summary import RunSummary
from crm_bridge.jobs.values import same_value
from crm_bridge.jobs.write import Writer, WriteTarget
from crm_bridge.model import Crm, FieldChange, RecordRef, Value
from crm_bridge.state.rows import RevertItem
from crm_bridge.state.store import StateStore


@dataclass(frozen=True, slots=True)
class Skipped:
    """A field the revert left alone, and why."""

    ref: RecordRef
    field: str
    why: str


@dataclass(slots=True)
class RevertResult:
    """What a revert did (or, dry, would do)."""

    reverted_run: str
    summary: RunSummary
    changes: list[FieldChange] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def plan_revert(
    items: list[RevertItem],
    current: Mapping[RecordRef, Mapping[str, Value]],
    run_id: str,
) -> tuple[list[FieldChange], list[Skipped]]:
    """Changes that restore the before values, and the fields to skip (changed since)."""
    changes: list[FieldChange] = []
    skipped: list[Skipped] = []
    for item in items:
        if item.changed_since:
            skipped.append(
                Skipped(item.ref, item.field, f"written again by run {item.changed_by} since")
            )
            continue
        if item.ref not in current:
            skipped.append(Skipped(item.ref, item.field, "record no longer exists in the CRM"))
            continue
        now = current[item.ref].get(item.field)
        if not same_value(now, item.after):
            skipped.append(Skipped(item.ref, item.field, f"changed in the CRM since (now {now!r})"))
            continue
        if same_value(now, item.before):
            continue
        changes.append(FieldChange(item.ref, item.field, now, item.before, f"revert of {run_id}"))
    return changes, skipped


def revert_run(
    *,
    store: StateStore,
    run_id: str,
    targets: Mapping[Crm, WriteTarget],
    clock: Callable[[], datetime],
    dry_run: bool = False,
    stop: StopToken | None = None,
) -> RevertResult:
    """Revert ``run_id``; raises :class:`ConfigError` for an unknown run."""
    run = store.get_run(run_id)
    if run is None:
        raise ConfigError(f"no run {run_id!r}: 'crm-bridge runs' lists the runs")
    items = list(store.revert_plan(run_id))
    current: dict[RecordRef, Mapping[str, Value]] = {}
    by_type: dict[tuple[Crm, str], dict[str, set[str]]] = {}
    for item in items:
        by_type.setdefault((item.ref.crm, item.ref.object_type), {}).setdefault(
            item.ref.id, set()
        ).add(item.field)
    for (crm, object_type), records in by_type.items():
        if crm not in targets:
            continue
        fields = sorted({f for names in records.values() for f in names})
        found = targets[crm].read_current(object_type, sorted(records), fields)
        for record_id, values in found.items():
            current[RecordRef(crm, object_type, record_id)] = values
    changes, skipped = plan_revert(items, current, run_id)
    started = clock()
    job = run.job
    owner = f"revert-{run_id}"
    if not dry_run and not store.acquire_lock(job, owner, timedelta(minutes=30)):
        raise LockHeld(f"job '{job}' is running; revert it when the run has finished")
    new_run = store.start_run(job, "revert_dry_run" if dry_run else "revert", started, owner=owner)
    summary = RunSummary(run_id=new_run, job=job, dry_run=dry_run, started_at=started)
    try:
        if dry_run:
            summary.planned = changes
        else:
            Writer(store, new_run, targets, summary, clock, stop or StopToken()).write(changes)
        summary.status = "partial" if summary.problems else "succeeded"
    finally:
        summary.finished_at = clock()
        store.finish_run(
            new_run,
            summary.status if summary.status != "running" else "failed",
            summary.finished_at,
            {**summary.as_dict(), "reverted_run": run_id, "skipped": len(skipped)},
        )
        if not dry_run:
            store.release_lock(job, owner)
    return RevertResult(run_id, summary, changes, skipped)
