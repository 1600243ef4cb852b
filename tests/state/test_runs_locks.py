"""Runs, record errors and job locks (with an injected clock: no sleeping)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from crm_bridge.errors import StateError
from crm_bridge.model import RecordRef
from crm_bridge.state import StateStore

from .conftest import T0, FakeClock

TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class Problem:
    ref: RecordRef
    field: str
    code: str
    message: str


def test_run_lifecycle(store: StateStore) -> None:
    run = store.start_run("hourly", "sync", T0)
    assert re.fullmatch(r"r20261124-093000-[0-9a-f]{4}", run)
    info = store.get_run(run)
    assert info is not None and info.status == "running" and info.finished_at is None
    stats = {"written": 12, "per_crm": {"salesforce": {"api_calls": 3}}, "ratio": 0.5}
    store.finish_run(run, "partial", T0 + timedelta(minutes=3), stats, "2 records failed")
    info = store.get_run(run)
    assert info is not None
    assert (info.status, info.stats, info.error) == ("partial", stats, "2 records failed")
    assert info.finished_at == T0 + timedelta(minutes=3) and info.job == "hourly"
    with pytest.raises(StateError, match="already partial"):
        store.finish_run(run, "succeeded", T0, {})
    with pytest.raises(StateError, match="no run"):
        store.finish_run("r-missing", "succeeded", T0, {})
    with pytest.raises(ValueError):
        store.finish_run(run, "running", T0, {})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="JSON"):
        store.finish_run(store.start_run("hourly", "sync", T0), "failed", T0, {"x": object()})
    assert store.get_run("r-missing") is None


def test_list_runs_newest_first_and_by_job(store: StateStore) -> None:
    ids = [
        store.start_run("a" if i % 2 else "b", "sync", T0 + timedelta(minutes=i)) for i in range(6)
    ]
    assert [r.run_id for r in store.list_runs(limit=3)] == ids[::-1][:3]
    assert [r.run_id for r in store.list_runs(limit=10, job="a")] == [ids[5], ids[3], ids[1]]
    assert sorted(ids) == ids  # ids sort by start time


def test_record_errors_round_trip_in_order(store: StateStore) -> None:
    run = store.start_run("hourly", "sync", T0)
    items = [
        Problem(
            RecordRef("hubspot", "contacts", str(i)), "crmb_persona", "VALIDATION_ERROR", f"bad {i}"
        )
        for i in range(1100)
    ]
    assert store.add_record_errors(run, items) == 1100
    back = list(store.record_errors(run))
    assert [(e.ref, e.field, e.code, e.message) for e in back] == [
        (p.ref, p.field, p.code, p.message) for p in items
    ]
    assert list(store.record_errors(store.start_run("other", "sync", T0))) == []


def test_lock_is_exclusive_until_released(store: StateStore) -> None:
    assert store.acquire_lock("hourly", "A", TTL) is True
    assert store.acquire_lock("hourly", "B", TTL) is False
    assert store.acquire_lock("daily", "B", TTL) is True  # another job
    assert store.acquire_lock("hourly", "A", TTL) is True  # re-entrant for its owner
    assert store.release_lock("hourly", "B") is False
    assert store.release_lock("hourly", "A") is True
    assert store.lock_info("hourly") is None
    assert store.acquire_lock("hourly", "B", TTL) is True


def test_refresh_keeps_the_lock_and_expiry_allows_takeover(
    store: StateStore, clock: FakeClock
) -> None:
    assert store.acquire_lock("hourly", "A", TTL)
    run = store.start_run("hourly", "sync", clock(), owner="A")
    clock.advance(timedelta(minutes=8))
    assert store.refresh_lock("hourly", "A", TTL) is True
    clock.advance(timedelta(minutes=8))  # 16 min after start, 8 after refresh: still held
    assert store.acquire_lock("hourly", "B", TTL) is False
    info = store.lock_info("hourly")
    assert info is not None and info.owner == "A" and info.expires_at == T0 + timedelta(minutes=18)
    clock.advance(timedelta(minutes=2))  # exactly expired
    assert store.acquire_lock("hourly", "B", TTL) is True
    assert store.refresh_lock("hourly", "A", TTL) is False
    assert store.release_lock("hourly", "A") is False
    interrupted = store.get_run(run)
    assert interrupted is not None and interrupted.status == "interrupted"
    assert interrupted.finished_at == clock() and "expired" in (interrupted.error or "")
    with pytest.raises(StateError, match="already interrupted"):
        store.finish_run(run, "succeeded", clock(), {})
    with pytest.raises(ValueError):
        store.acquire_lock("hourly", "C", timedelta(0))


def test_takeover_leaves_other_owners_runs_alone(store: StateStore, clock: FakeClock) -> None:
    store.acquire_lock("hourly", "A", TTL)
    dry = store.start_run("hourly", "dry_run", clock())  # no lock owner
    clock.advance(TTL)
    assert store.acquire_lock("hourly", "B", TTL)
    info = store.get_run(dry)
    assert info is not None and info.status == "running"
