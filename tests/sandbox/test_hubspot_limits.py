"""Auth, rate limits and their headers through the SDK, on a fake clock; limiter unit tests."""

from __future__ import annotations

import json

import pytest
from hubspot.crm.companies.exceptions import ApiException as CompanyApiException
from hubspot.crm.contacts.exceptions import UnauthorizedException

from crm_bridge.sandbox.clients import hubspot_client
from crm_bridge.sandbox.hubspot.ratelimit import RateLimiter
from tests.sandbox import hubspot_env
from tests.sandbox.hubspot_env import Env

hs_env, clocked, clocked_server = (
    hubspot_env.hs_env,
    hubspot_env.clocked,
    hubspot_env.clocked_server,
)


def test_burst_limit_429_with_real_body_and_headers(clocked: Env) -> None:
    assert clocked.clock is not None
    clocked.sb.config.rate_limits = True
    api = clocked.client().crm.companies.basic_api
    _, status, headers = api.get_page_with_http_info(limit=1)
    assert status == 200
    assert (
        headers["X-HubSpot-RateLimit-Max"] == "100"
        and headers["X-HubSpot-RateLimit-Remaining"] == "99"
    )
    assert (
        headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        and headers["X-HubSpot-RateLimit-Daily"] == "250000"
    )
    assert "X-HubSpot-Correlation-Id" in headers
    for _ in range(99):
        api.get_page(limit=1)
    with pytest.raises(CompanyApiException) as exc:  # per-package exception class, status 429
        api.get_page(limit=1)
    body = json.loads(exc.value.body)
    assert exc.value.status == 429
    assert body["policyName"] == "TEN_SECONDLY_ROLLING" and body["errorType"] == "RATE_LIMIT"
    assert (
        body["message"] == "You have reached your ten_secondly_rolling limit."
        and body["correlationId"]
    )
    assert exc.value.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    clocked.clock.t += 10.0
    _, status, headers = api.get_page_with_http_info(limit=1)
    assert status == 200 and headers["X-HubSpot-RateLimit-Remaining"] == "99"


def test_professional_tier_allows_190(clocked: Env) -> None:
    clocked.sb.config.rate_limits = True
    clocked.sb.config.hubspot_tier = 190
    _, _, headers = clocked.client().crm.contacts.basic_api.get_page_with_http_info()
    assert (
        headers["X-HubSpot-RateLimit-Max"] == "190"
        and headers["X-HubSpot-RateLimit-Daily"] == "650000"
    )


def test_invalid_expired_and_ttl_tokens_are_401(clocked: Env) -> None:
    with pytest.raises(UnauthorizedException) as exc:
        clocked.client("wrong").crm.contacts.basic_api.get_page()
    assert (
        exc.value.status == 401
        and json.loads(exc.value.body)["category"] == "INVALID_AUTHENTICATION"
    )
    assert clocked.clock is not None
    short = clocked.sb.tokens.issue("hubspot", ttl_s=1800)
    assert clocked.client(short).crm.contacts.basic_api.get_page().results
    clocked.clock.t += 1800
    with pytest.raises(UnauthorizedException):
        clocked.client(short).crm.contacts.basic_api.get_page()
    clocked.sb.tokens.expire("hubspot")
    with pytest.raises(UnauthorizedException):
        clocked.client().crm.contacts.basic_api.get_page()


def test_oauth_refresh_issues_a_working_token(hs_env: Env) -> None:
    anon = hubspot_client(hs_env.server, access_token=None)
    tok = anon.oauth.tokens_api.create(
        grant_type="refresh_token", refresh_token="r-1", client_id="cid", client_secret="sec"
    )
    assert tok.expires_in == 1800 and tok.refresh_token == "r-1"
    assert hs_env.client(tok.access_token).crm.contacts.basic_api.get_page().results == []


def test_limiter_rolling_window_and_daily_quota() -> None:
    now = [0.0]
    lim = RateLimiter(lambda: now[0], burst=3, daily=5)
    assert [lim.check("t", search=False).refusal is None for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    now[0] = 9.9
    assert lim.check("t", search=False).refusal is not None
    now[0] = 10.01
    ok = lim.check("t", search=False)
    assert ok.refusal is None and ok.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "1"
    assert lim.check("other", search=False).refusal is None  # per token
    lim.check("t", search=False)
    now[0] = 30.0
    daily = lim.check("t", search=False).refusal
    assert daily is not None and daily["policyName"] == "DAILY"
    now[0] = 86_400.0 + 1
    assert lim.check("t", search=False).refusal is None


def test_token_without_a_scope_gets_403_missing_scopes(hs_env: Env) -> None:
    from hubspot.crm.contacts import SimplePublicObjectInputForCreate
    from hubspot.crm.contacts.exceptions import ForbiddenException
    from hubspot.crm.properties import PropertyCreate
    from hubspot.crm.properties.exceptions import ForbiddenException as PropertiesForbidden

    token = hs_env.sb.tokens.issue("hubspot")
    hs_env.hubspot.token_scopes[token] = frozenset(
        {"crm.objects.contacts.read", "crm.objects.contacts.write"}
    )
    client = hs_env.client(token)
    client.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": "s@ex.com"})
    )
    assert client.crm.contacts.basic_api.get_page().results
    with pytest.raises(PropertiesForbidden) as exc:
        client.crm.properties.core_api.create(
            "contacts",
            PropertyCreate(
                name="crmb_x",
                label="X",
                type="string",
                field_type="text",
                group_name="contactinformation",
            ),
        )
    body = json.loads(exc.value.body)
    assert exc.value.status == 403 and body["category"] == "MISSING_SCOPES"
    assert body["errors"][0]["context"]["requiredGranularScopes"] == ["crm.schemas.contacts.write"]
    assert ForbiddenException is not PropertiesForbidden  # per-package classes
    with pytest.raises(CompanyApiException) as denied:
        client.crm.companies.basic_api.get_page()
    assert denied.value.status == 403
