"""Code run in separate processes by the concurrency tests (importable for ``spawn``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from crm_bridge.model import RecordRef, RecordUpdate, Value, WriteResult
from crm_bridge.state import AuditEntry, open_store

BATCHES = 50
PER_BATCH = 10
SHARED = [RecordRef("hubspot", "contacts", f"shared-{i}") for i in range(20)]


def write_many(url: str, name: str, barrier: Any, results: Any) -> None:
    """Open the store (maybe migrating it) and the lock race at the same moment as the other
    process, then write 500 audit entries and last-written values in 50 journalled batches,
    some of them to the same (record, field) pairs as the other process."""
    barrier.wait(timeout=60)
    store = open_store(url)
    try:
        barrier.wait(timeout=60)
        got_lock = store.acquire_lock("shared-job", name, timedelta(hours=1))
        now = datetime.now(UTC)
        run = store.start_run(f"job-{name}", "sync", now)
        for b in range(BATCHES):
            refs = [RecordRef("salesforce", "Contact", f"{name}-{b}-{i}") for i in range(PER_BATCH)]
            batch_id = f"{run}-{b}"
            store.journal_planned(run, batch_id, [RecordUpdate(r, {"stage": b}) for r in refs])
            written: dict[tuple[RecordRef, str], Value] = {(r, "stage"): b for r in refs}
            written[(SHARED[b % len(SHARED)], "stage")] = f"{name}-{b}"
            store.complete_batch(
                run,
                batch_id,
                [WriteResult(r, True) for r in refs],
                written=written,
                audit=[AuditEntry(r, "stage", None, b, now) for r in refs],
            )
        store.finish_run(run, "succeeded", datetime.now(UTC), {"batches": BATCHES})
        results.put((name, got_lock, run))
    finally:
        store.close()


def take_over(url: str, name: str, rounds: int, barrier: Any, results: Any) -> None:
    """For each round, at the same moment as the other process, try to take over the
    expired lock of job ``stale-<round>``; report which rounds this process won."""
    store = open_store(url)
    won = []
    try:
        for k in range(rounds):
            barrier.wait(timeout=60)
            if store.acquire_lock(f"stale-{k}", name, timedelta(hours=1)):
                won.append(k)
        results.put((name, won))
    finally:
        store.close()
