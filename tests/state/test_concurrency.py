"""Two real processes opening, locking and writing the same store at once lose nothing."""

from __future__ import annotations

import multiprocessing
import queue
from datetime import UTC, datetime, timedelta

from crm_bridge.model import RecordRef
from crm_bridge.state import open_store

from .workers import BATCHES, PER_BATCH, SHARED, take_over, write_many


def test_two_processes_writing_at_once_lose_nothing(store_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=write_many, args=(store_url, n, barrier, results)) for n in ("p1", "p2")
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    outcome = {}
    for _ in procs:
        name, got_lock, run = results.get(timeout=10)
        outcome[name] = (got_lock, run)
    try:
        results.get_nowait()
        raise AssertionError("unexpected extra result")
    except queue.Empty:
        pass
    assert sorted(got for got, _ in outcome.values()) == [False, True]  # exactly one holds it

    store = open_store(store_url)
    try:
        holder = store.lock_info("shared-job")
        assert holder is not None and outcome[holder.owner][0] is True
        for name, (_, run) in outcome.items():
            info = store.get_run(run)
            assert info is not None and info.status == "succeeded"
            audit = list(store.iter_audit(run))
            assert len(audit) == BATCHES * PER_BATCH
            refs = [
                RecordRef("salesforce", "Contact", f"{name}-{b}-{i}")
                for b in range(BATCHES)
                for i in range(PER_BATCH)
            ]
            assert [e.ref for e in audit] == refs
            written = store.last_written(refs)
            assert len(written) == BATCHES * PER_BATCH
            assert all(written[(r, "stage")] == int(r.id.split("-")[1]) for r in refs)
        shared = store.last_written(SHARED)
        assert len(shared) == len(SHARED)
        assert all(str(v).split("-")[0] in ("p1", "p2") for v in shared.values())
        assert store.pending_batches("job-p1") == [] and store.pending_batches("job-p2") == []
    finally:
        store.close()


def test_two_processes_race_to_take_over_stale_locks(store_url: str) -> None:
    rounds = 25
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    setup = open_store(store_url, clock=lambda: long_ago)
    dead_runs = []
    try:
        for k in range(rounds):
            assert setup.acquire_lock(f"stale-{k}", "dead", timedelta(minutes=1))
            dead_runs.append(setup.start_run(f"stale-{k}", "sync", long_ago, owner="dead"))
    finally:
        setup.close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=take_over, args=(store_url, n, rounds, barrier, results))
        for n in ("p1", "p2")
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    won = dict(results.get(timeout=10) for _ in procs)
    assert sorted(won["p1"] + won["p2"]) == list(range(rounds))  # exactly one winner per round
    store = open_store(store_url)
    try:
        for k, run in enumerate(dead_runs):
            holder = store.lock_info(f"stale-{k}")
            assert holder is not None and k in won[holder.owner]
            info = store.get_run(run)
            assert info is not None and info.status == "interrupted"
    finally:
        store.close()
