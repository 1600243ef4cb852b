"""A run that dies part way through its writes (an error inside the write stage, or SIGKILL of
the process while the CRM applies a batch) and is then started again ends in the same CRM
state as an uninterrupted run, with no field written twice and every write audited once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

import pytest

from crm_bridge.jobs.write import WriteTarget
from crm_bridge.model import Crm, RecordUpdate, Value, WriteResult, utcnow
from crm_bridge.state.store import open_store
from tests.e2e.conftest import E2E, FirstRun
from tests.e2e.support import (
    JOB,
    FieldWrites,
    KillOnWrite,
    Snapshot,
    audit_keys,
    snapshot,
    snapshot_diff,
    sync,
)

REPO = Path(__file__).resolve().parents[2]


class Died(Exception):
    """The stand-in for a crash inside the write stage."""


def dying_at(batch: int, sent: bool) -> Callable[[Crm, WriteTarget], WriteTarget]:
    """Write targets that raise at the ``batch``-th write (counted over both CRMs: HubSpot's
    batches come first), before it is sent or after the CRM applied it."""
    seen = [0]

    class Target:
        def __init__(self, inner: WriteTarget) -> None:
            self.inner = inner

        def write(self, object_type: str, updates: Iterable[RecordUpdate]) -> list[WriteResult]:
            seen[0] += 1
            if seen[0] == batch and not sent:
                raise Died
            results = list(self.inner.write(object_type, updates))
            if seen[0] == batch:
                raise Died
            return results

        def read_current(
            self, object_type: str, ids: Sequence[str], fields: Sequence[str]
        ) -> Mapping[str, Mapping[str, Value]]:
            return self.inner.read_current(object_type, ids, fields)

    return lambda _crm, inner: Target(inner)


def assert_same_as_uninterrupted(
    first_run: FirstRun, after: Snapshot, writes: FieldWrites, audit: object
) -> None:
    assert snapshot_diff(first_run.after, after) == {}
    assert writes.counts == first_run.field_writes  # every field reached the CRM once
    assert audit == first_run.audit  # and was audited once, under one of the two runs


@pytest.mark.parametrize(
    ("batch", "sent"),
    [(3, False), (9, True)],
    ids=["hubspot-batch-before-send", "salesforce-batch-after-send"],
)
def test_run_failing_in_write_stage_then_rerun(
    e2e: E2E, first_run: FirstRun, batch: int, sent: bool
) -> None:
    name = f"fail-{batch}-{'sent' if sent else 'unsent'}"
    with e2e.serve(name) as server:
        writes = FieldWrites.install(server.sandbox)
        with e2e.store(name) as store:
            with pytest.raises(Died):
                sync(e2e.project, server, store, clock=e2e.clock, wrap=dying_at(batch, sent))
            failed = store.list_runs(job=JOB)[0]
            assert failed.status == "failed"
            assert len(store.pending_batches(JOB)) == 1  # the batch it died in
            landed = sum(writes.counts.values())
            assert 0 < landed < first_run.summary.fields_written
            summary = sync(e2e.project, server, store, clock=e2e.clock)
            assert store.pending_batches(JOB) == []
            audit = audit_keys(store, failed.run_id, summary.run_id)
        after = snapshot(server)
    assert summary.status == "succeeded" and not summary.problems
    assert_same_as_uninterrupted(first_run, after, writes, audit)


@pytest.mark.parametrize(("crm", "nth"), [("hubspot", 3), ("salesforce", 4)])
def test_sigkilled_run_then_rerun(e2e: E2E, first_run: FirstRun, crm: str, nth: int) -> None:
    name = f"kill-{crm}-{nth}"
    with e2e.serve(name) as server:
        writes = FieldWrites.install(server.sandbox)
        killer = KillOnWrite(server.sandbox, crm, nth)
        endpoint = e2e.root / f"{name}-endpoint.json"
        endpoint.write_text(json.dumps(asdict(server.endpoint())), encoding="utf-8")
        (e2e.root / "stores").mkdir(exist_ok=True)
        url = f"sqlite:///{e2e.root / 'stores' / name}.db"
        args = [str(e2e.project.root), str(endpoint), url, e2e.now.isoformat()]
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.child", *args],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        killer.pid = child.pid
        try:
            out, err = child.communicate(timeout=120)
        finally:
            if child.poll() is None:  # hung: never leave it behind
                child.kill()
                child.wait()
        assert child.returncode == -signal.SIGKILL, (out, err)
        assert killer.fired.wait(30)  # the hook saw the process die
        landed = sum(writes.counts.values())
        assert 0 < landed < first_run.summary.fields_written

        # started again once the dead run's job lock has expired
        later = utcnow() + timedelta(hours=1)
        with open_store(url, clock=lambda: later) as store:
            killed = store.list_runs(job=JOB)[0]
            assert killed.status == "running"
            assert len(store.pending_batches(JOB)) == 1  # sent, applied, never recorded
            summary = sync(e2e.project, server, store, clock=e2e.clock)
            assert store.get_run(killed.run_id).status == "interrupted"  # type: ignore[union-attr]
            assert store.pending_batches(JOB) == []
            audit = audit_keys(store, killed.run_id, summary.run_id)
        after = snapshot(server)
    assert summary.status == "succeeded" and not summary.problems
    assert_same_as_uninterrupted(first_run, after, writes, audit)
