"""The sync pipeline: one run of a job.

pull changed records from both CRMs (plus linked counterparts, records whose SLA or stall
clocks came due, and the people on changed deals) → map → link across the CRMs → merge shared
fields by the conflict policy → align → diff against what each CRM holds → write the
difference in journalled batches (or, in a dry run, only plan it) → store SLA clocks, links and
cursors. Per-record problems are recorded and never stop the run.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crm_bridge.errors import CrmBridgeError, LockHeld
from crm_bridge.jobs.align import Rules
from crm_bridge.jobs.conflicts import Policy
from crm_bridge.jobs.counterparts import find_people_by_email
from crm_bridge.jobs.entities import Entity, link_and_group, merge, shared_fields
from crm_bridge.jobs.pull import NATIVE_TYPES, SyncConnector, fetch, pull
from crm_bridge.jobs.schedule import StopToken
from crm_bridge.jobs.stage import AlignStage
from crm_bridge.jobs.summary import RecordProblem, RunSummary
from crm_bridge.jobs.write import Writer, WriteTarget, recover
from crm_bridge.model import Canonical, Crm, ObjectKind, RecordRef, SourceRecord
from crm_bridge.state.store import StateStore

KIND_ORDER: tuple[ObjectKind, ...] = ("account", "person", "opportunity")
_PLURAL = {"account": "accounts", "person": "people", "opportunity": "opportunities"}


class Progress:
    """Progress callbacks (the CLI draws bars; the default does nothing)."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A new stage starts."""

    def advance(self, n: int = 1) -> None:
        """``n`` more units of the current stage are done."""


@dataclass(slots=True)
class SyncOptions:
    """How to run: which job, objects, conflict policies, dry run, full read."""

    job: str
    objects: tuple[ObjectKind, ...] = KIND_ORDER
    dry_run: bool = False
    full: bool = False
    conflicts: Mapping[str, Policy] = field(default_factory=dict)
    default_policy: Policy = "newest"
    sync_fields: Mapping[ObjectKind, tuple[str, ...] | None] = field(default_factory=dict)
    lock_ttl: timedelta = timedelta(minutes=30)
    batch_sizes: Mapping[Crm, int] = field(default_factory=dict)


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_is_dead(holder: str) -> bool:
    """True when a lock ``holder`` (``host:pid:nonce``) is a process of this host that is gone.

    A lock held from another host, or by a live process, is never judged dead here: it expires
    after the job's ``lock_ttl`` instead.
    """
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by another user
        return False
    return False


def _lock(store: StateStore, options: SyncOptions, owner: str) -> None:
    """Take the job's lock, taking it over from a killed process of this host at once."""
    if store.acquire_lock(options.job, owner, options.lock_ttl):
        return
    info = store.lock_info(options.job)
    if info is not None and holder_is_dead(info.owner):
        if store.take_over_lock(options.job, info.owner, owner, options.lock_ttl):
            return
        info = store.lock_info(options.job)
    until = f" (lock held until {info.expires_at:%Y-%m-%d %H:%M} UTC)" if info else ""
    raise LockHeld(f"job '{options.job}' is already running{until}")


def run_sync(
    *,
    store: StateStore,
    connectors: Mapping[Crm, SyncConnector],
    rules: Rules,
    options: SyncOptions,
    clock: Callable[[], datetime],
    stop: StopToken | None = None,
    progress: Progress | None = None,
    write_targets: Mapping[Crm, WriteTarget] | None = None,
    observe: Callable[[AlignStage], None] | None = None,
) -> RunSummary:
    """Run the job once and return its summary (also stored as the run's statistics).

    ``observe`` receives the run's :class:`~crm_bridge.jobs.stage.AlignStage` after alignment
    (every person's and deal's results, SLA clocks): the report is built from it.
    """
    stop = stop or StopToken()
    progress = progress or Progress()
    owner = _owner()
    started = clock()
    _lock(store, options, owner)
    mode = "dry_run" if options.dry_run else ("full" if options.full else "sync")
    run_id = store.start_run(options.job, mode, started, owner=owner)
    summary = RunSummary(
        run_id=run_id, job=options.job, dry_run=options.dry_run, started_at=started
    )
    targets: Mapping[Crm, WriteTarget] = (
        write_targets if write_targets is not None else connectors  # type: ignore[assignment]
    )
    try:
        if not options.dry_run:
            recovered = recover(store, options.job, run_id, targets, clock)
            if recovered:
                progress.stage(f"recovered {recovered} field writes of an interrupted run")
        stage = _run(
            store,
            connectors,
            rules,
            options,
            clock,
            stop,
            progress,
            summary,
            targets,
            owner,
            keep_records=observe is not None,
        )
        if observe is not None:
            observe(stage)
        summary.status = "partial" if summary.problems else "succeeded"
        if stop.is_set():
            summary.status = "interrupted"
            summary.error = stop.reason
    except CrmBridgeError as exc:
        summary.status = "failed"
        summary.error = str(exc)
        raise
    except Exception as exc:
        summary.status = "failed"
        summary.error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        summary.finished_at = clock()
        summary.api_calls = _api_calls(connectors)
        final = "failed" if summary.status == "interrupted" else summary.status
        store.finish_run(run_id, final, summary.finished_at, summary.as_dict(), summary.error)  # type: ignore[arg-type]
        store.release_lock(options.job, owner)
    return summary


def _api_calls(connectors: Mapping[Crm, SyncConnector]) -> dict[str, int]:
    out: dict[str, int] = {}
    for crm, connector in connectors.items():
        stats = getattr(connector, "stats", None)
        calls = getattr(stats, "calls", None)
        if isinstance(calls, int):
            out[crm] = calls
    return out


def _run(
    store: StateStore,
    connectors: Mapping[Crm, SyncConnector],
    rules: Rules,
    options: SyncOptions,
    clock: Callable[[], datetime],
    stop: StopToken,
    progress: Progress,
    summary: RunSummary,
    targets: Mapping[Crm, WriteTarget],
    owner: str,
    *,
    keep_records: bool,
) -> AlignStage:
    now = clock()
    stage = AlignStage(store, connectors, rules, summary, now)
    stage.keep_records = keep_records
    due = stage.due_refs(now)
    cursors: dict[tuple[str, str], datetime] = {}
    changes = []
    for kind in KIND_ORDER:
        if kind not in options.objects or stop.is_set():
            continue

        def since(connection: str, object_type: str) -> datetime | None:
            if options.full:
                return None
            cursor = store.get_cursor(connection, object_type)
            return None if cursor is None else cursor.at

        progress.stage(f"read {_PLURAL[kind]}")
        pulled = pull(connectors, rules, kind, since, summary, stop, progress.advance)
        cursors.update(pulled.cursors)
        records = pulled.records
        fetch(connectors, rules, [r for r in due if r.kind == kind], records, summary)
        known = store.linked_many(records)
        fetch(connectors, rules, known.values(), records, summary)
        if (
            kind == "person"
            and not options.full
            and find_people_by_email(connectors, rules, records, known, since, summary)
        ):
            known = store.linked_many(records)
            fetch(connectors, rules, known.values(), records, summary)
        progress.stage(f"link and align {_PLURAL[kind]}", len(records))
        entities = _entities(store, rules, options, kind, records, known, summary)
        if kind == "person":
            stage.prefetch_clocks(entities)
        if kind == "opportunity":
            stage.prepare_opportunities(entities)
        for entity in entities:
            changes.extend(stage.align(entity))
            progress.advance()
        store.refresh_lock(options.job, owner, options.lock_ttl)
    summary.sla_breaches = stage.breaches
    summary.sla_at_risk = stage.at_risk
    summary.stalled_deals = stage.stalled
    changes = [c for c in changes if c.ref.crm in targets]  # only the job's write targets
    changed: dict[RecordRef, int] = {}
    for change in changes:
        changed[change.ref] = 1
    for ref in changed:
        summary.count(ref.crm, ref.object_type).changed += 1
    if options.dry_run:
        summary.planned = changes
        return stage
    progress.stage("write", len(changed))
    sizes: dict[Crm, int] = dict(options.batch_sizes)
    writer = Writer(store, summary.run_id, targets, summary, clock, stop, on_batch=progress.advance)
    if sizes:
        writer.batch_sizes = {**writer.batch_sizes, **sizes}
    writer.write(changes)
    if stop.is_set():
        return stage  # cursors stay: the next run reads the same records again
    stage.persist(new_links=True)
    for (connection, object_type), at in cursors.items():
        store.set_cursor(connection, object_type, at)
    return stage


def _entities(
    store: StateStore,
    rules: Rules,
    options: SyncOptions,
    kind: ObjectKind,
    records: dict[RecordRef, SourceRecord],
    known: Mapping[RecordRef, RecordRef],
    summary: RunSummary,
) -> list[Entity]:
    mapped: dict[Crm, list[Canonical]] = {"salesforce": [], "hubspot": []}
    for source in records.values():
        if source.deleted:
            continue
        result = rules.fields.map(source)
        for issue in result.issues:
            why = f"{issue.field}: {issue.why} (value {issue.value!r:.100})"
            summary.problems.append(
                RecordProblem(issue.record, issue.native_field, "MAPPING_ERROR", why)
            )
        mapped[source.ref.crm].append(result.record)
    groups, identity = link_and_group(mapped["salesforce"], mapped["hubspot"], known)
    # a converted lead lives on as its contact: it is read (to move its link) but never written
    groups = [
        {crm: c for crm, c in group.items() if not _converted(c)}
        for group in groups
        if any(not _converted(c) for c in group.values())
    ]
    summary.ambiguous_matches += len(identity.ambiguities)
    if not options.dry_run:
        at = summary.started_at
        new = [(k.salesforce, k.hubspot, k.method) for k in identity.links if k.method != "stored"]
        store.link_many(new, at=at)
        summary.links_created += len(new)
        for conversion in identity.conversions:
            store.relink(conversion.lead, conversion.contact)
    return merge_groups(store, rules, options, kind, groups)


def merge_groups(
    store: StateStore,
    rules: Rules,
    options: SyncOptions,
    kind: ObjectKind,
    groups: Sequence[dict[Crm, Canonical]],
) -> list[Entity]:
    """One entity per group of linked records, shared fields merged by the job's policies
    against what crm-bridge last wrote (sync and ``crm-bridge explain``)."""
    shared = shared_fields(rules.fields, kind, options.sync_fields.get(kind))
    refs = [c.ref for group in groups for c in group.values()]
    last = store.last_written(refs) if shared else {}
    orders = {"lifecycle_stage": {s: i for i, s in enumerate(rules.funnel.order)}}
    return [
        merge(
            rules.fields,
            kind,
            group,
            shared=shared,
            policies=options.conflicts,
            default_policy=options.default_policy,
            last_written=last,
            orders=orders,
        )
        for group in groups
    ]


def _converted(record: Canonical) -> bool:
    return record.ref.object_type == "Lead" and record.get("converted") is True


__all__ = ["NATIVE_TYPES", "Progress", "SyncOptions", "run_sync"]
