"""Injected faults the first fault suite does not reach: an expired HubSpot OAuth token renewed
mid-read and mid-write, Salesforce concurrency-limit bursts on writes, and faults on HubSpot
batch reads by id and on association reads (contact roles)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from crm_bridge.config.connectors import HubSpotCredentials
from crm_bridge.connectors.factory import hubspot_oauth_refresher
from crm_bridge.model import RecordRef, RecordUpdate
from crm_bridge.sandbox.server import SandboxServer
from tests.connectors.support import connectors, seed_hubspot, seed_leads
from tests.connectors.test_faults import REQUEST_FAULTS, _endpoint_calls

OAUTH = HubSpotCredentials(
    auth="oauth",
    client_id="crm-bridge-app",
    client_secret=SecretStr("app-secret"),
    refresh_token=SecretStr("refresh-1"),
)


def test_hubspot_oauth_token_is_renewed_mid_read_and_mid_write(sandbox: SandboxServer) -> None:
    ids = seed_hubspot(sandbox, "contacts", 230)
    _, hs = connectors(sandbox)
    hs.caller.reauth = hubspot_oauth_refresher(hs, OAUTH)
    hs.describe("contacts")
    first_token = hs.apis.client.access_token
    tokens = sandbox.sandbox.tokens
    got = []
    for record in hs.read("contacts", ["email"], None):
        got.append(record.ref.id)
        if len(got) == 100:  # the token expires between two pages
            tokens.expire("hubspot")
    assert len(got) == len(set(got)) and set(ids) <= set(got)
    assert hs.stats.by_endpoint["oauth"] == 1 and hs.apis.client.access_token != first_token
    assert not tokens.valid("hubspot", first_token)

    tokens.expire("hubspot")
    updates = [RecordUpdate(RecordRef("hubspot", "contacts", i), {"jobtitle": i}) for i in ids]
    assert all(r.ok for r in hs.write("contacts", updates))
    assert hs.stats.by_endpoint["oauth"] == 2
    assert _endpoint_calls(sandbox, "hubspot", "batch/update") == 3 + 1
    store = sandbox.sandbox.hubspot.tables["contacts"].records
    assert all(store[int(i)].props["jobtitle"] == i for i in ids)


def test_salesforce_write_survives_concurrency_limit_bursts(sandbox: SandboxServer) -> None:
    ids = seed_leads(sandbox, 450)
    sf, _ = connectors(sandbox)
    sf.describe("Lead")
    sandbox.sandbox.faults.add(
        "rate_limit",
        crm="salesforce",
        endpoint="PATCH */composite/*",
        message="ConcurrentPerOrgLongTxn Limit exceeded.",
        count=3,
    )
    updates = [RecordUpdate(RecordRef("salesforce", "Lead", i), {"Title": f"t{i}"}) for i in ids]
    results = list(sf.write("Lead", updates))
    assert len(results) == 450 and all(r.ok for r in results)
    assert sf.stats.rate_limited == 3 and sf.stats.retries == 3
    assert _endpoint_calls(sandbox, "salesforce", "composite") == 3 + 3
    store = sandbox.sandbox.salesforce
    assert all(store.get("Lead", i)["Title"] == f"t{i}" for i in ids)


@pytest.mark.parametrize("kind", REQUEST_FAULTS)
def test_hubspot_batch_read_by_id_survives(sandbox: SandboxServer, kind: str) -> None:
    ids = seed_hubspot(sandbox, "contacts", 250)
    _, hs = connectors(sandbox)
    hs.describe("contacts")
    sandbox.sandbox.faults.add(kind, crm="hubspot", endpoint="POST */batch/read", count=2)
    got = [r.ref.id for r in hs.read_ids("contacts", ids, ["email"])]
    assert sorted(got) == sorted(ids)
    assert hs.stats.retries == 2 and hs.stats.by_endpoint["batch_read"] == 3 + 2


@pytest.mark.parametrize("kind", REQUEST_FAULTS)
def test_hubspot_contact_roles_survive(sandbox: SandboxServer, kind: str) -> None:
    _, hs = connectors(sandbox)
    clean = list(hs.read_contact_roles())
    assert clean
    calls = hs.stats.by_endpoint["associations"]
    sandbox.sandbox.faults.add(kind, crm="hubspot", endpoint="POST /crm/v4/associations/*", count=2)
    again = list(hs.read_contact_roles())
    assert len(again) == len(set(again)) and set(again) == set(clean)
    assert hs.stats.by_endpoint["associations"] - calls == calls + 2
