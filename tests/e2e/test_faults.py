"""A run through injected faults (429 bursts, 5xx, dropped connections, lock errors, an
expired session, per-record lock failures) ends in the same CRM state as a fault-free run on
an identical sandbox, and writes each field exactly once."""

from __future__ import annotations

from crm_bridge.sandbox.faults import FaultInjector
from tests.e2e.conftest import E2E, FirstRun
from tests.e2e.support import FieldWrites, snapshot, snapshot_diff, sync


def inject(faults: FaultInjector) -> None:
    # HubSpot: 429s now and then everywhere, plus bursts on reads and writes
    faults.add("rate_limit", crm="hubspot", rate=0.08)
    faults.add("rate_limit", crm="hubspot", endpoint="GET /crm/v3/objects/*", count=3)
    faults.add("server_error", crm="hubspot", endpoint="POST */batch/update", count=2)
    faults.add("timeout", crm="hubspot", endpoint="POST */batch/*", count=2)
    faults.add("lock_error", crm="hubspot", endpoint="POST */batch/update", count=1)
    faults.add("server_error", crm="hubspot", endpoint="POST /crm/v4/associations/*", count=2)
    # Salesforce: 5xx on queries, an expired session, lock errors and drops on writes
    faults.add("server_error", crm="salesforce", endpoint="GET */query*", count=2)
    faults.add("expired_session", crm="salesforce", endpoint="GET */query*", count=1)
    faults.add("lock_error", crm="salesforce", endpoint="PATCH */composite/*", count=2)
    faults.add("timeout", crm="salesforce", endpoint="PATCH */composite/*", count=1)
    faults.add("expired_session", crm="salesforce", endpoint="PATCH */composite/*", count=1)
    faults.add("record_failure", crm="salesforce", code="UNABLE_TO_LOCK_ROW", count=3)


def test_faulty_run_ends_like_a_fault_free_run(e2e: E2E, first_run: FirstRun) -> None:
    with e2e.serve("faults") as server:
        writes = FieldWrites.install(server.sandbox)
        inject(server.sandbox.faults)
        with e2e.store("faults") as store:
            summary = sync(e2e.project, server, store, clock=e2e.clock)
        left = [f for f in server.sandbox.faults.list() if f.remaining is not None]
        statuses = server.sandbox.calls.snapshot()
        after = snapshot(server)

    assert left == []  # every counted fault fired
    assert {"429", "500", "423", "0"} <= set(statuses["hubspot"]["statuses"])
    assert {"500", "401", "400", "0"} <= set(statuses["salesforce"]["statuses"])
    assert summary.status == "succeeded" and not summary.problems
    assert snapshot_diff(first_run.after, after) == {}
    # retried requests never applied a write twice: the same fields, each once
    assert writes.counts == first_run.field_writes
    assert summary.fields_written == first_run.summary.fields_written
