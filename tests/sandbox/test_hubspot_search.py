"""Search through the SDK: filters, sorts, paging to the 10,000 cap, limits and throttling."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import PublicObjectSearchRequest, SimplePublicObjectInputForCreate
from hubspot.crm.contacts.exceptions import ApiException

from crm_bridge.sandbox.hubspot.timeutil import epoch_ms
from tests.sandbox import hubspot_env
from tests.sandbox.hubspot_env import Env

hs_env, hs, clocked, clocked_server = (
    hubspot_env.hs_env,
    hubspot_env.hs,
    hubspot_env.clocked,
    hubspot_env.clocked_server,
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _bulk(env: Env, n: int) -> None:
    """Cheap records straight into the store (not through the API)."""
    stages = ("lead", "marketingqualifiedlead", "customer")
    for i in range(n):
        ts = T0 + timedelta(minutes=i)
        props = {
            "email": f"u{i}@ex.com",
            "lifecyclestage": stages[i % 3],
            "hubspotscore": str(i % 100),
        }
        if i % 10 == 0:
            props["jobtitle"] = "Head of Finance"
        env.hubspot.insert_raw("contacts", props, ts, ts)


def _search(hs: HubSpot, **kw: Any) -> Any:
    return hs.crm.contacts.search_api.do_search(PublicObjectSearchRequest(**kw))


def test_filters_groups_and_sort(hs: HubSpot, hs_env: Env) -> None:
    _bulk(hs_env, 300)
    since = str(epoch_ms(T0 + timedelta(minutes=250)))
    res = _search(
        hs,
        filter_groups=[
            {"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": since},
                         {"propertyName": "lifecyclestage", "operator": "IN", "values": ["lead", "customer"]}]},
            {"filters": [{"propertyName": "jobtitle", "operator": "CONTAINS_TOKEN", "value": "financ*"},
                         {"propertyName": "hubspotscore", "operator": "BETWEEN", "value": "10", "highValue": "20"}]},
        ],
        sorts=[{"propertyName": "hubspotscore", "direction": "DESCENDING"}],
        properties=["email", "hubspotscore", "lifecyclestage"], limit=200,
    )  # fmt: skip
    expected_a = {i for i in range(250, 300) if i % 3 != 1}
    expected_b = {i for i in range(300) if i % 10 == 0 and 10 <= i % 100 <= 20}
    assert res.total == len(expected_a | expected_b)
    emails = {r.properties["email"] for r in res.results}
    assert emails == {f"u{i}@ex.com" for i in expected_a | expected_b}
    scores = [int(r.properties["hubspotscore"]) for r in res.results]
    assert scores == sorted(scores, reverse=True)
    iso = _search(
        hs,
        filter_groups=[
            {
                "filters": [
                    {
                        "propertyName": "createdate",
                        "operator": "LT",
                        "value": "2024-01-01T00:05:00Z",
                    }
                ]
            }
        ],
    )
    assert iso.total == 5
    none = _search(
        hs,
        filter_groups=[{"filters": [{"propertyName": "jobtitle", "operator": "NOT_HAS_PROPERTY"}]}],
    )
    assert none.total == 270


def test_paging_to_the_cap_then_400(hs: HubSpot, hs_env: Env) -> None:
    _bulk(hs_env, 10_050)
    after: str | None = "9600"
    got = 0
    while after is not None:
        res = _search(
            hs,
            limit=200,
            after=after,
            sorts=[{"propertyName": "createdate", "direction": "ASCENDING"}],
        )
        assert res.total == 10_050
        got += len(res.results)
        after = res.paging.next.after if res.paging else None
        if after == "10000":
            break
    assert got == 400
    with pytest.raises(ApiException) as exc:
        _search(hs, limit=200, after="10000")
    assert exc.value.status == 400
    assert json.loads(exc.value.body)["category"] == "VALIDATION_ERROR"


def test_too_many_filters_and_archived_excluded(hs: HubSpot, hs_env: Env) -> None:
    _bulk(hs_env, 5)
    many = [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]} for _ in range(6)]
    with pytest.raises(ApiException) as exc:
        _search(hs, filter_groups=many)
    assert exc.value.status == 400 and "filterGroups" in exc.value.body
    hs_env.hubspot.settings.max_filter_groups = 6
    assert _search(hs, filter_groups=many).total == 5
    hs.crm.contacts.basic_api.archive(next(iter(hs_env.hubspot.tables["contacts"].records)))
    assert _search(hs).total == 4


def test_search_is_throttled_per_second(clocked: Env) -> None:
    hs = clocked.client()
    clocked.sb.config.rate_limits = True
    for _ in range(5):
        _search(hs)
    with pytest.raises(ApiException) as exc:
        _search(hs)
    body = json.loads(exc.value.body)
    assert (
        exc.value.status == 429
        and body["policyName"] == "SECONDLY"
        and body["errorType"] == "RATE_LIMIT"
    )
    assert clocked.clock is not None
    clocked.clock.t += 1.0
    assert _search(hs).total == sum(1 for p in clocked.sb.world.people if p.hubspot)


def test_eventual_consistency_lag(hs: HubSpot, hs_env: Env) -> None:
    hs_env.hubspot.settings.search_lag_s = 3600
    _bulk(hs_env, 3)
    hs.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": "fresh@ex.com"})
    )
    assert _search(hs).total == 3
