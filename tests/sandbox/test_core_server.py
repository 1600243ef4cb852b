"""The HTTPS sandbox server through the official clients: TLS trust, faults, counters, admin."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.contacts import ApiException
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from crm_bridge.sandbox.clients import trusting_session
from crm_bridge.sandbox.server import SandboxServer


def _code(err: Any) -> str:
    return str(err.content[0]["errorCode"])


def test_env_ca_bundle_does_not_defeat_the_sandbox_ca(sandbox: SandboxServer) -> None:
    # The workplace sets REQUESTS_CA_BUNDLE; a plain session must not trust the sandbox CA.
    if os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE"):
        plain = requests.Session()
        plain.verify = sandbox.ca_file
        with pytest.raises(requests.exceptions.SSLError):
            plain.get(f"{sandbox.base_url}/_sandbox/health", timeout=10)
    ok = trusting_session(sandbox.ca_file).get(f"{sandbox.base_url}/_sandbox/health", timeout=10)
    assert ok.status_code == 200
    assert ok.json()["status"] == "ok"
    assert sandbox.base_url.startswith("https://127.0.0.1:")


def test_official_clients_read_seeded_data(
    sandbox_salesforce: Salesforce, sandbox_hubspot: HubSpot
) -> None:
    leads = sandbox_salesforce.query("SELECT Id, Email FROM Lead")
    assert leads["totalSize"] > 0
    page = sandbox_hubspot.crm.contacts.basic_api.get_page(limit=5)
    assert len(page.results) == 5
    assert page.paging.next.after


def test_counts_calls_per_crm_and_endpoint(
    sandbox: SandboxServer, sandbox_salesforce: Salesforce, sandbox_hubspot: HubSpot
) -> None:
    sandbox_salesforce.query("SELECT Id FROM Contact LIMIT 1")
    sandbox_salesforce.query("SELECT Id FROM Lead LIMIT 1")
    lead_id = sandbox_salesforce.query("SELECT Id FROM Lead LIMIT 1")["records"][0]["Id"]
    sf: Any = sandbox_salesforce
    sf.Lead.get(lead_id)
    sandbox_hubspot.crm.contacts.basic_api.get_page(limit=1)
    snap = sandbox.sandbox.calls.snapshot()
    assert snap["salesforce"]["total"] == 4
    assert snap["salesforce"]["endpoints"]["GET /services/data/v59.0/query/"] == 3
    assert snap["salesforce"]["endpoints"]["GET /services/data/v59.0/sobjects/Lead/{id}"] == 1
    assert snap["hubspot"]["endpoints"] == {"GET /crm/v3/objects/contacts": 1}
    assert snap["total"] == 5
    sandbox.sandbox.calls.reset()
    assert sandbox.sandbox.calls.snapshot()["total"] == 0


def test_request_faults_render_each_crms_error_shape(
    sandbox: SandboxServer, sandbox_salesforce: Salesforce, sandbox_hubspot: HubSpot
) -> None:
    faults = sandbox.sandbox.faults
    faults.add("rate_limit", crm="hubspot", endpoint="GET /crm/v3/objects/contacts", count=2)
    for _ in range(2):
        with pytest.raises(ApiException) as err:
            sandbox_hubspot.crm.contacts.basic_api.get_page(limit=1)
        assert err.value.status == 429
        assert '"policyName": "TEN_SECONDLY_ROLLING"' in err.value.body
    assert sandbox_hubspot.crm.contacts.basic_api.get_page(limit=1).results  # count used up

    faults.add("expired_session", crm="salesforce", count=1)
    with pytest.raises(SalesforceExpiredSession) as sf_err:
        sandbox_salesforce.query("SELECT Id FROM Lead")
    assert _code(sf_err.value) == "INVALID_SESSION_ID"

    faults.add("lock_error", crm="salesforce", endpoint="GET */query/", count=1)
    with pytest.raises(SalesforceMalformedRequest) as lock:
        sandbox_salesforce.query("SELECT Id FROM Lead")
    assert _code(lock.value) == "UNABLE_TO_LOCK_ROW"

    faults.add("server_error", crm="salesforce", status=503, count=1)
    with pytest.raises(SalesforceGeneralError) as down:
        sandbox_salesforce.query("SELECT Id FROM Lead")
    assert down.value.status == 503

    faults.add("rate_limit", crm="salesforce", count=1)
    with pytest.raises(SalesforceRefusedRequest) as limit:
        sandbox_salesforce.query("SELECT Id FROM Lead")
    assert _code(limit.value) == "REQUEST_LIMIT_EXCEEDED"

    statuses = sandbox.sandbox.calls.snapshot()["hubspot"]["statuses"]
    assert statuses == {"200": 1, "429": 2}


def test_timeout_fault_drops_the_connection(
    sandbox: SandboxServer, sandbox_salesforce: Salesforce
) -> None:
    sandbox.sandbox.faults.add("timeout", crm="salesforce", count=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        sandbox_salesforce.query("SELECT Id FROM Lead")
    assert sandbox_salesforce.query("SELECT Id FROM Lead LIMIT 1")["totalSize"] == 1


def test_expired_tokens_are_refused_and_reset_restores_the_servers_own(
    sandbox: SandboxServer, sandbox_hubspot: HubSpot
) -> None:
    sandbox.sandbox.tokens.expire("hubspot")
    with pytest.raises(ApiException) as err:
        sandbox_hubspot.crm.contacts.basic_api.get_page(limit=1)
    assert err.value.status == 401
    sandbox.sandbox.reset()
    assert sandbox_hubspot.crm.contacts.basic_api.get_page(limit=1).results


def test_admin_api_faults_calls_reset(sandbox: SandboxServer) -> None:
    s = trusting_session(sandbox.ca_file)
    base = f"{sandbox.base_url}/_sandbox"
    bad = s.post(f"{base}/faults", json={"kind": "nope", "crm": "hubspot"}, timeout=10)
    assert bad.status_code == 400
    added = s.post(
        f"{base}/faults",
        json={"kind": "server_error", "crm": "hubspot", "endpoint": "GET /crm/*", "count": 1},
        timeout=10,
    )
    assert added.status_code == 201
    listed = s.get(f"{base}/faults", timeout=10).json()["faults"]
    assert [f["id"] for f in listed] == [added.json()["id"]]
    auth = {"Authorization": f"Bearer {sandbox.hubspot_access_token}"}
    hit = s.get(f"{sandbox.base_url}/crm/v3/objects/contacts", headers=auth, timeout=10)
    assert hit.status_code == 500
    assert hit.json()["status"] == "error"
    assert s.get(f"{base}/faults", timeout=10).json()["faults"] == []
    calls = s.get(f"{base}/calls", timeout=10).json()
    assert calls["hubspot"]["statuses"] == {"500": 1}
    assert s.post(f"{base}/calls/reset", timeout=10).status_code == 204
    assert s.get(f"{base}/calls", timeout=10).json()["total"] == 0
    s.post(f"{base}/faults", json={"kind": "slow", "crm": "*"}, timeout=10)
    assert s.delete(f"{base}/faults", timeout=10).status_code == 204
    assert sandbox.sandbox.faults.list() == []
    sandbox.sandbox.salesforce = type(sandbox.sandbox.salesforce)()  # wipe the org
    assert s.post(f"{base}/reset", timeout=10).status_code == 204
    assert sandbox.sandbox.salesforce.tables["Lead"]
