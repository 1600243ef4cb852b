"""Injected faults on the sandbox: reads complete with no record missing or repeated, writes
land exactly once, per-record failures fail only their records."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm_bridge.errors import AuthError, QuotaExhausted
from crm_bridge.model import RecordRef, RecordUpdate
from crm_bridge.sandbox.server import SandboxServer
from tests.connectors.support import FakeTime, connectors, seed_hubspot, seed_leads

REQUEST_FAULTS = ["rate_limit", "server_error", "timeout", "lock_error"]
SF_FAULTS = ["server_error", "timeout", "lock_error", "expired_session"]


def _endpoint_calls(server: SandboxServer, crm: str, needle: str) -> int:
    """Requests the sandbox counted (after one more request on a fresh connection, so the
    server has finished counting the last one)."""
    import requests

    requests.get(server.base_url, verify=server.ca_file, timeout=10)
    endpoints = server.sandbox.calls.snapshot()[crm]["endpoints"]
    return sum(n for key, n in endpoints.items() if needle in key)


@pytest.mark.parametrize("kind", SF_FAULTS)
def test_salesforce_read_survives(sandbox: SandboxServer, kind: str) -> None:
    seed_leads(sandbox, 4_100)
    expected = {str(r["Id"]) for r in sandbox.sandbox.salesforce.records("Lead", True)}
    time = FakeTime()
    sf, _ = connectors(sandbox, time)
    count = 1 if kind == "expired_session" else 2  # a session is renewed once per call
    sandbox.sandbox.faults.add(kind, crm="salesforce", endpoint="GET */query*", count=count)
    got = [r.ref.id for r in sf.read("Lead", ["Email"], None)]
    assert len(got) == len(set(got)) and set(got) == expected
    if kind == "expired_session":
        assert sf.stats.retries == 0 and sf.stats.by_endpoint["query"] == 3 + 1
    else:
        assert sf.stats.retries == 2 and len(time.slept) == 2


@pytest.mark.parametrize("kind", SF_FAULTS)
def test_salesforce_write_applied_once(sandbox: SandboxServer, kind: str) -> None:
    ids = seed_leads(sandbox, 450)
    sf, _ = connectors(sandbox)
    sf.describe("Lead")
    count = 1 if kind == "expired_session" else 2
    sandbox.sandbox.faults.add(kind, crm="salesforce", endpoint="PATCH */composite/*", count=count)
    updates = [RecordUpdate(RecordRef("salesforce", "Lead", i), {"Title": i}) for i in ids]
    results = list(sf.write("Lead", updates))
    assert all(r.ok for r in results) and len(results) == 450
    assert _endpoint_calls(sandbox, "salesforce", "composite") == 3 + count
    store = sandbox.sandbox.salesforce
    assert all(store.get("Lead", i)["Title"] == i for i in ids)


def test_salesforce_concurrency_limit_is_retried(sandbox: SandboxServer) -> None:
    seed_leads(sandbox, 2_500)
    sf, _ = connectors(sandbox)
    sf.describe("Lead")
    message = "ConcurrentPerOrgLongTxn Limit exceeded."
    sandbox.sandbox.faults.add("rate_limit", crm="salesforce", message=message, count=2)
    got = [r.ref.id for r in sf.read("Lead", ["Email"], None)]
    assert (
        len(got)
        == len(set(got))
        == sum(1 for _ in sandbox.sandbox.salesforce.records("Lead", True))
    )
    assert sf.stats.rate_limited == 2 and sf.stats.retries == 2


def test_salesforce_daily_allocation_exhausted_is_not_retried(sandbox: SandboxServer) -> None:
    sf, _ = connectors(sandbox)
    sf.describe("Lead")
    sandbox.sandbox.faults.add("rate_limit", crm="salesforce")
    with pytest.raises(QuotaExhausted) as info:
        list(sf.read("Lead", ["Email"], None))
    assert info.value.code == "REQUEST_LIMIT_EXCEEDED"
    assert sf.stats.retries == 0 and sf.stats.by_endpoint["query"] == 1


def test_salesforce_partial_failure_and_row_lock(sandbox: SandboxServer) -> None:
    ids = seed_leads(sandbox, 10)
    sf, _ = connectors(sandbox)
    faults = sandbox.sandbox.faults
    faults.add("record_failure", crm="salesforce", record_ids=[ids[3]])
    faults.add(
        "record_failure", crm="salesforce", record_ids=[ids[5]], code="UNABLE_TO_LOCK_ROW", count=1
    )
    updates = [RecordUpdate(RecordRef("salesforce", "Lead", i), {"Title": "new"}) for i in ids]
    results = {r.ref.id: r for r in sf.write("Lead", updates)}
    assert [i for i in ids if not results[i].ok] == [ids[3]]
    assert results[ids[3]].code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert results[ids[5]].ok  # lock error retried for that record only
    store = sandbox.sandbox.salesforce
    assert [store.get("Lead", i)["Title"] == "new" for i in ids] == [i != ids[3] for i in ids]


@pytest.mark.parametrize("kind", REQUEST_FAULTS)
def test_hubspot_search_read_survives(sandbox: SandboxServer, kind: str) -> None:
    seed_hubspot(sandbox, "contacts", 1_000)
    expected = {str(r.id) for r in sandbox.sandbox.hubspot.live("contacts")}
    _, hs = connectors(sandbox)
    hs.describe("contacts")
    sandbox.sandbox.faults.add(kind, crm="hubspot", endpoint="POST */search", count=3)
    got = [r.ref.id for r in hs.read("contacts", ["email"], datetime(2000, 1, 1, tzinfo=UTC))]
    assert len(got) == len(set(got)) and set(got) == expected
    assert hs.stats.retries == 3
    if kind == "rate_limit":
        assert hs.stats.rate_limited == 3


@pytest.mark.parametrize("kind", REQUEST_FAULTS)
def test_hubspot_list_read_and_write_survive(sandbox: SandboxServer, kind: str) -> None:
    ids = seed_hubspot(sandbox, "contacts", 230)
    _, hs = connectors(sandbox)
    hs.describe("contacts")
    faults = sandbox.sandbox.faults
    faults.add(kind, crm="hubspot", endpoint="GET /crm/v3/objects/contacts", count=2)
    faults.add(kind, crm="hubspot", endpoint="POST */batch/update", count=2)
    got = [r.ref.id for r in hs.read("contacts", ["email"], None)]
    assert len(got) == len(set(got)) and set(ids) <= set(got)
    updates = [RecordUpdate(RecordRef("hubspot", "contacts", i), {"jobtitle": i}) for i in ids]
    assert all(r.ok for r in hs.write("contacts", updates))
    assert _endpoint_calls(sandbox, "hubspot", "batch/update") == 3 + 2
    store = sandbox.sandbox.hubspot.tables["contacts"].records
    assert all(store[int(i)].props["jobtitle"] == i for i in ids)


def test_hubspot_partial_batch_failure_fails_only_its_records(sandbox: SandboxServer) -> None:
    ids = seed_hubspot(sandbox, "contacts", 5)
    _, hs = connectors(sandbox)
    sandbox.sandbox.faults.add("record_failure", crm="hubspot", record_ids=[ids[1], ids[4]])
    updates = [RecordUpdate(RecordRef("hubspot", "contacts", i), {"jobtitle": "x"}) for i in ids]
    results = list(hs.write("contacts", updates))
    assert [r.ok for r in results] == [True, False, True, True, False]
    assert results[1].code == "VALIDATION_ERROR" and results[1].fields == ("jobtitle",)


def test_hubspot_expired_token_is_an_auth_error(sandbox: SandboxServer) -> None:
    _, hs = connectors(sandbox)
    sandbox.sandbox.faults.add("expired_session", crm="hubspot", count=1)
    with pytest.raises(AuthError) as info:
        list(hs.read("contacts", ["email"], None))
    assert info.value.status == 401
    assert sandbox.sandbox.hubspot_access_token not in str(info.value)
