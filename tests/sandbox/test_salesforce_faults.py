"""Injected request-level faults reach simple_salesforce as its own exceptions."""

# ruff: noqa: F811
from __future__ import annotations

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from tests.sandbox.salesforce_env import Env, sf, sf_server, sfenv  # noqa: F401

QUERY = "SELECT Id FROM Lead LIMIT 1"


def test_injected_429_is_general_error_with_body(sf: Salesforce, sfenv: Env) -> None:
    sfenv.faults.add("rate_limit", crm="salesforce", status=429, count=1)
    with pytest.raises(SalesforceGeneralError) as info:
        sf.query(QUERY)
    assert info.value.status == 429
    assert info.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert sf.query(QUERY)["totalSize"] == 1  # count=1: the next call goes through


def test_injected_limit_refusal_is_refused_request(sf: Salesforce, sfenv: Env) -> None:
    sfenv.faults.add("rate_limit", crm="salesforce", count=1)
    with pytest.raises(SalesforceRefusedRequest) as info:
        sf.query(QUERY)
    assert info.value.status == 403


@pytest.mark.parametrize("status", [500, 503])
def test_injected_server_errors(sf: Salesforce, sfenv: Env, status: int) -> None:
    sfenv.faults.add(
        "server_error",
        crm="salesforce",
        status=status,
        endpoint="GET /services/data/*/query*",
        count=1,
    )
    with pytest.raises(SalesforceGeneralError) as info:
        sf.query(QUERY)
    assert info.value.status == status
    assert info.value.content[0]["errorCode"] == "UNKNOWN_EXCEPTION"


def test_injected_lock_error_is_malformed_request(sf: Salesforce, sfenv: Env) -> None:
    lead = sf.query(QUERY)["records"][0]["Id"]
    sfenv.faults.add("lock_error", crm="salesforce", endpoint="PATCH /services/data/*", count=1)
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Lead.update(lead, {"Title": "Locked"})
    assert info.value.content[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert sf.Lead.get(lead)["Title"] != "Locked"


def test_injected_expired_session(sf: Salesforce, sfenv: Env) -> None:
    sfenv.faults.add("expired_session", crm="salesforce", count=1)
    with pytest.raises(SalesforceExpiredSession) as info:
        sf.query(QUERY)
    assert info.value.status == 401
    assert info.value.content[0]["errorCode"] == "INVALID_SESSION_ID"


def test_injected_timeout_drops_the_connection(sf: Salesforce, sfenv: Env) -> None:
    sfenv.faults.add("timeout", crm="salesforce", delay_s=0, count=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        sf.query(QUERY)
    assert sf.query(QUERY)["totalSize"] == 1


def test_record_failure_on_insert_inside_collection(sf: Salesforce, sfenv: Env) -> None:
    sfenv.faults.add(
        "record_failure",
        crm="salesforce",
        count=1,
        endpoint="POST /services/data/*/composite/sobjects",
    )
    records = [{"attributes": {"type": "Account"}, "Name": f"Fault {i}"} for i in range(3)]
    results = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": records}
    )
    assert [r["success"] for r in results] == [False, True, True]
    assert results[0]["errors"][0]["statusCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"


def test_calls_are_counted_per_endpoint(sf: Salesforce, sfenv: Env) -> None:
    sf.query(QUERY)
    sf.query(QUERY)
    snapshot = sfenv.calls.snapshot()
    assert "salesforce" in str(snapshot) and "query" in str(snapshot)
