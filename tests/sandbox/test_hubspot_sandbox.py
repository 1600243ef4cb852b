"""The HubSpot routes in the real sandbox app (core fixtures): seeded data, core faults, batch record faults."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchResponseSimplePublicObjectWithErrors,
)
from hubspot.crm.contacts.exceptions import ApiException, ServiceException, UnauthorizedException

from crm_bridge.sandbox.clients import hubspot_client
from crm_bridge.sandbox.core import Sandbox
from crm_bridge.sandbox.server import SandboxServer


@pytest.fixture
def sb(sandbox: SandboxServer) -> Sandbox:
    sandbox.sandbox.config.rate_limits = False
    return sandbox.sandbox


@pytest.fixture
def client(sandbox: SandboxServer, sb: Sandbox) -> Iterator[HubSpot]:
    yield hubspot_client(sandbox)
    gc.collect()  # close pooled TLS connections (see hubspot_env)


def test_seeded_portal_over_https(client: HubSpot, sb: Sandbox) -> None:
    contacts = client.crm.contacts.basic_api.get_page(
        limit=100, properties=["email", "lifecyclestage"]
    ).results
    assert len(contacts) == min(100, sum(1 for p in sb.world.people if p.hubspot is not None))
    assert all(c.properties["lifecyclestage"] for c in contacts)
    deals = client.crm.deals.search_api.do_search(
        {
            "filterGroups": [
                {"filters": [{"propertyName": "hs_is_closed", "operator": "EQ", "value": "false"}]}
            ],
            "limit": 200,
        }
    )
    open_in_world = sum(1 for o in sb.world.opportunities if o.in_hubspot and o.stage < 5)
    assert deals.total == open_in_world
    assert len(client.crm.owners.owners_api.get_page().results) == len(sb.world.users)


def test_core_faults_raise_the_sdk_exceptions(client: HubSpot, sb: Sandbox) -> None:
    api = client.crm.contacts.basic_api
    sb.faults.add("server_error", crm="hubspot", count=1, status=503)
    with pytest.raises(ServiceException) as err:
        api.get_page()
    assert err.value.status == 503 and json.loads(err.value.body)["status"] == "error"
    sb.faults.add("rate_limit", crm="hubspot", count=1)
    with pytest.raises(ApiException) as limited:
        api.get_page()
    assert (
        limited.value.status == 429
        and json.loads(limited.value.body)["policyName"] == "TEN_SECONDLY_ROLLING"
    )
    assert api.get_page().results  # faults were one-shot
    sb.tokens.expire("hubspot")
    with pytest.raises(UnauthorizedException) as unauth:
        api.get_page()
    assert json.loads(unauth.value.body)["category"] == "INVALID_AUTHENTICATION"


def test_injected_record_failure_inside_batch(client: HubSpot, sb: Sandbox) -> None:
    ids = [c.id for c in client.crm.contacts.basic_api.get_page(limit=3).results]
    sb.faults.add(
        "record_failure",
        crm="hubspot",
        endpoint="POST /crm/v3/objects/contacts/batch/update",
        record_ids=[ids[1]],
    )
    res = client.crm.contacts.batch_api.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[{"id": i, "properties": {"jobtitle": "CMO"}} for i in ids]
        )
    )
    assert isinstance(res, BatchResponseSimplePublicObjectWithErrors)
    assert sorted(r.id for r in res.results) == sorted([ids[0], ids[2]])
    assert res.errors[0].context["ids"] == [ids[1]] and res.errors[0].category == "VALIDATION_ERROR"
