"""Auth, rate limits and their headers through the SDK, with an injected clock; limiter unit tests."""

from __future__ import annotations

import json

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts.exceptions import ApiException, UnauthorizedException

from crm_bridge.sandbox.hubspot.ratelimit import RateLimiter
from tests.sandbox import hubspot_env
from tests.sandbox.hubspot_env import Env

hs_server, hs_env, hs = hubspot_env.hs_server, hubspot_env.hs_env, hubspot_env.hs


def test_burst_limit_429_with_real_body_and_headers(hs: HubSpot, hs_env: Env) -> None:
    hs_env.config.rate_limits = True
    api = hs.crm.contacts.basic_api
    _, status, headers = api.get_page_with_http_info()
    assert status == 200
    assert (
        headers["X-HubSpot-RateLimit-Max"] == "100"
        and headers["X-HubSpot-RateLimit-Remaining"] == "99"
    )
    assert (
        headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        and "X-HubSpot-Correlation-Id" in headers
    )
    for _ in range(99):
        api.get_page()
    with pytest.raises(ApiException) as exc:
        api.get_page()
    body = json.loads(exc.value.body)
    assert exc.value.status == 429
    assert body["policyName"] == "TEN_SECONDLY_ROLLING" and body["errorType"] == "RATE_LIMIT"
    assert (
        body["message"] == "You have reached your ten_secondly_rolling limit."
        and body["correlationId"]
    )
    assert exc.value.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    hs_env.clock.t += 10.0
    assert api.get_page().results == []


def test_professional_tier_allows_190(hs: HubSpot, hs_env: Env) -> None:
    hs_env.config.rate_limits = True
    hs_env.config.hubspot_tier = 190
    _, _, headers = hs.crm.contacts.basic_api.get_page_with_http_info()
    assert headers["X-HubSpot-RateLimit-Max"] == "190"


def test_invalid_and_expired_tokens_are_401(hs_env: Env) -> None:
    with pytest.raises(UnauthorizedException) as exc:
        hs_env.client("wrong").crm.contacts.basic_api.get_page()
    assert (
        exc.value.status == 401
        and json.loads(exc.value.body)["category"] == "INVALID_AUTHENTICATION"
    )
    hs_env.tokens.expire("hubspot")
    with pytest.raises(UnauthorizedException):
        hs_env.client().crm.contacts.basic_api.get_page()


def test_oauth_refresh_issues_a_working_token(hs_env: Env) -> None:
    anon = HubSpot(host=hs_env.host)
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
