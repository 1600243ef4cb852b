"""Last written values, audit log, revert plan, write journal (crash safety), SLA clocks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crm_bridge.alignment.sla import SlaClock
from crm_bridge.errors import StateError
from crm_bridge.model import RecordRef, RecordUpdate, Value, WriteResult
from crm_bridge.state import AuditEntry, StateStore

from .conftest import T0

A = RecordRef("hubspot", "contacts", "1")
B = RecordRef("salesforce", "Lead", "00Q1")


def test_last_written_in_bulk_for_thousands_of_refs(store: StateStore) -> None:
    run = store.start_run("job", "sync", T0)
    refs = [RecordRef("hubspot", "contacts", str(i)) for i in range(2500)]
    refs += [RecordRef("salesforce", "Contact", f"003{i}") for i in range(700)]
    items: dict[tuple[RecordRef, str], Value] = {}
    for i, ref in enumerate(refs):
        items[(ref, "lifecycle_stage")] = "mql" if i % 2 else "sql"
        items[(ref, "score")] = i
    assert store.record_written(run, items) == len(items)
    assert store.last_written(refs) == items
    only = store.last_written(refs[:10], fields=["score"])
    assert only == {(r, "score"): i for i, r in enumerate(refs[:10])}
    assert store.last_written([RecordRef("hubspot", "contacts", "nope")]) == {}
    run2 = store.start_run("job", "sync", T0 + timedelta(hours=1))
    store.record_written(run2, {(refs[0], "score"): 99.5, (refs[0], "tags"): ("a", "b")})
    assert store.last_written([refs[0]]) == {
        (refs[0], "lifecycle_stage"): "sql",
        (refs[0], "score"): 99.5,
        (refs[0], "tags"): ("a", "b"),
    }
    assert store.forget_written([refs[0]]) == 3
    assert store.last_written([refs[0]]) == {}


def test_audit_round_trip_in_order(store: StateStore) -> None:
    run = store.start_run("job", "sync", T0)
    entries = [
        AuditEntry(
            RecordRef("hubspot", "contacts", str(i)), "stage", None if i % 3 else "lead", "mql", T0
        )
        for i in range(1234)
    ]
    entries.append(AuditEntry(A, "due", date(2026, 1, 1), T0, T0 + timedelta(seconds=1)))
    assert store.add_audit(run, entries) == len(entries)
    assert list(store.iter_audit(run)) == entries
    assert list(store.iter_audit("r-other")) == []


def test_revert_plan_tells_which_fields_changed_since(store: StateStore) -> None:
    r1 = store.start_run("job", "sync", T0)
    store.add_audit(
        r1,
        [
            AuditEntry(A, "stage", "lead", "mql", T0),
            AuditEntry(A, "persona", None, "CFO", T0),
            AuditEntry(B, "stage", "lead", "mql", T0),
            AuditEntry(B, "stage", "mql", "sql", T0),  # written twice in one run
        ],
    )
    store.record_written(
        r1, {(A, "stage"): "mql", (A, "persona"): "CFO", (B, "stage"): "sql"}, at=T0
    )
    r2 = store.start_run("job", "sync", T0 + timedelta(hours=1))
    later = T0 + timedelta(hours=1)
    store.add_audit(
        r2,
        [AuditEntry(A, "stage", "mql", "sal", later), AuditEntry(B, "stage", "sql", "sql", later)],
    )
    store.record_written(r2, {(A, "stage"): "sal", (B, "stage"): "sql"}, at=later)
    plan = {(i.ref, i.field): i for i in store.revert_plan(r1)}
    assert set(plan) == {(A, "stage"), (A, "persona"), (B, "stage")}
    a_stage = plan[(A, "stage")]
    assert (a_stage.before, a_stage.after, a_stage.current) == ("lead", "mql", "sal")
    assert a_stage.changed_since is True and a_stage.changed_by == r2
    persona = plan[(A, "persona")]
    assert persona.changed_since is False and persona.current == "CFO" and persona.before is None
    b_stage = plan[(B, "stage")]
    assert (b_stage.before, b_stage.after, b_stage.changed_since) == ("lead", "sql", False)
    # the later run's own plan: nothing changed after it
    assert not any(i.changed_since for i in store.revert_plan(r2))


def _updates() -> list[RecordUpdate]:
    return [
        RecordUpdate(A, {"crmb_stage": "mql", "crmb_due": T0}),
        RecordUpdate(B, {"CRMB_Tags__c": ("x", "y"), "CRMB_Score__c": 3.5}),
    ]


def test_journal_planned_batch_survives_a_crash(store_url: str, store: StateStore) -> None:
    run = store.start_run("job", "sync", T0)
    before: dict[tuple[RecordRef, str], Value] = {
        (A, "crmb_stage"): "lead",
        (B, "CRMB_Score__c"): None,
    }
    store.journal_planned(run, f"{run}-1", _updates(), before=before)
    with pytest.raises(StateError, match="already journalled"):
        store.journal_planned(run, f"{run}-1", _updates())
    store.close()  # "kill -9": nothing else was recorded
    from crm_bridge.state import open_store

    reopened = open_store(store_url)
    try:
        pending = reopened.pending_batches("job")
        assert [(p.batch_id, p.run_id, p.job, p.planned_at) for p in pending] == [
            (f"{run}-1", run, "job", T0)
        ]
        assert [(u.ref, u.fields) for u in pending[0].updates] == [
            (u.ref, u.fields) for u in _updates()
        ]
        assert pending[0].before == before
        assert reopened.pending_batches("other-job") == []
    finally:
        reopened.close()


def test_complete_batch_is_one_transaction(store: StateStore) -> None:
    run = store.start_run("job", "sync", T0)
    store.journal_planned(run, "b1", _updates())
    store.journal_planned(run, "b2", _updates())
    results = [WriteResult(A, True), WriteResult(B, False, "VALIDATION", "bad", ("CRMB_Score__c",))]
    store.complete_batch(
        run,
        "b1",
        results,
        written={(A, "crmb_stage"): "mql"},
        audit=[AuditEntry(A, "crmb_stage", None, "mql", T0)],
        at=T0,
    )
    assert [p.batch_id for p in store.pending_batches("job")] == ["b2"]
    assert store.last_written([A]) == {(A, "crmb_stage"): "mql"}
    # completing twice fails, and rolls back everything in that transaction
    with pytest.raises(StateError, match="already done"):
        store.complete_batch(
            run, "b1", results, written={(B, "x"): 1}, audit=[AuditEntry(B, "x", None, 1, T0)]
        )
    assert store.last_written([B]) == {} and len(list(store.iter_audit(run))) == 1
    # the same through an explicit transaction that fails half-way
    with pytest.raises(RuntimeError), store.transaction():
        store.journal_done("b2", results)
        store.record_written(run, {(B, "x"): 1})
        raise RuntimeError("crash before commit")
    assert [p.batch_id for p in store.pending_batches("job")] == ["b2"]
    assert store.last_written([B]) == {}
    store.journal_abandon("b2")
    assert store.pending_batches("job") == []
    with pytest.raises(StateError, match="not journalled"):
        store.journal_done("b-missing", [])
    assert store.prune_journal(T0 + timedelta(days=1)) == 2


def test_sla_clocks_persist_and_replace(store: StateStore) -> None:
    running = SlaClock(
        A,
        "mql_first_touch",
        T0,
        T0 + timedelta(hours=4),
        T0 + timedelta(hours=3),
        None,
        "on_track",
        None,
    )
    late = SlaClock(
        B,
        "mql_first_touch",
        T0,
        T0 + timedelta(hours=4),
        T0 + timedelta(hours=3),
        T0 + timedelta(hours=5),
        "met_late",
        T0 + timedelta(hours=4),
    )
    other = SlaClock(
        A,
        "recycle_nurture",
        T0,
        T0 + timedelta(days=5),
        T0 + timedelta(days=4),
        None,
        "at_risk",
        None,
    )
    assert store.upsert_sla_clocks([running, late, other]) == 3
    got = store.sla_clocks([A, B, RecordRef("hubspot", "contacts", "none")])
    assert got == {
        (A, "mql_first_touch"): running,
        (B, "mql_first_touch"): late,
        (A, "recycle_nurture"): other,
    }
    breached = SlaClock(
        A,
        "mql_first_touch",
        T0,
        running.due_at,
        running.at_risk_at,
        None,
        "breached",
        running.due_at,
    )
    store.upsert_sla_clocks([breached])
    assert store.sla_clocks([A])[(A, "mql_first_touch")] == breached
    open_clocks = list(store.iter_sla_clocks(["on_track", "at_risk", "breached"]))
    assert sorted(open_clocks, key=lambda c: (c.ref, c.policy)) == [breached, other]
    assert len(list(store.iter_sla_clocks())) == 3


def test_many_sla_clocks_page_in_key_order(store: StateStore) -> None:
    clocks = [
        SlaClock(RecordRef("hubspot", "contacts", f"{i:04d}"), p, T0, T0, T0, None, "breached", T0)
        for i in range(600)
        for p in ("p1", "p2")
    ]
    store.upsert_sla_clocks(clocks)
    assert list(store.iter_sla_clocks(["breached"])) == clocks
