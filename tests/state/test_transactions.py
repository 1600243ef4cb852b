"""Transactions, retries on lock contention and error translation."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from crm_bridge.errors import StateError
from crm_bridge.model import RecordRef
from crm_bridge.state import StateStore, open_store

from .conftest import T0, FakeClock

REF = RecordRef("hubspot", "contacts", "1")


def _locked() -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


def test_a_locked_database_is_retried_then_succeeds(store_url: str) -> None:
    pauses: list[float] = []
    store = open_store(store_url, clock=FakeClock(), sleep=pauses.append)
    attempts = []

    def work(conn: Connection) -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise _locked()
        return "done"

    try:
        assert store._write("testing", work) == "done"
        assert len(attempts) == 3 and len(pauses) == 2 and pauses[0] < pauses[1]
    finally:
        store.close()


def test_a_database_that_stays_locked_raises_state_error(store: StateStore) -> None:
    def work(conn: Connection) -> None:
        raise _locked()

    with pytest.raises(StateError, match="testing failed: database is locked"):
        store._write("testing", work)


def test_database_errors_become_state_errors(store: StateStore) -> None:
    with pytest.raises(StateError, match="recording written values failed"):
        store.record_written("r-no-such-run", {(REF, "stage"): "mql"})  # foreign key
    assert store.last_written([REF]) == {}


def test_nested_transactions_join_and_roll_back_together(store: StateStore) -> None:
    run = store.start_run("job", "sync", T0)
    with pytest.raises(StateError), store.transaction():
        store.record_written(run, {(REF, "stage"): "mql"})
        with store.transaction():
            store.set_cursor("hs", "contacts", T0)
        store.record_written("r-no-such-run", {(REF, "x"): 1})
    assert store.last_written([REF]) == {} and store.get_cursor("hs", "contacts") is None
    with store.transaction():
        store.record_written(run, {(REF, "stage"): "mql"})
        with store.transaction():
            store.set_cursor("hs", "contacts", T0)
    assert store.last_written([REF]) == {(REF, "stage"): "mql"}
    assert store.get_cursor("hs", "contacts") is not None


def test_store_is_a_context_manager(store_url: str) -> None:
    with open_store(store_url) as store:
        run = store.start_run("job", "sync", T0)
    with open_store(store_url) as again:
        assert again.get_run(run) is not None
