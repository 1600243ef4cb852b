import json

import httpx

from crm_bridge.errors import (
    AuthError,
    ConfigError,
    ConfigIssue,
    CredentialMissing,
    QuotaExhausted,
    RateLimited,
)
from crm_bridge.jobs.hints import failure_hint, record_errors_hint
from crm_bridge.jobs.notify import NotifyTargets, notify_failure


def test_hints_say_what_to_do():
    assert "CRM_BRIDGE_HUBSPOT__ACCESS_TOKEN" in failure_hint(
        CredentialMissing("CRM_BRIDGE_HUBSPOT__ACCESS_TOKEN", "hubspot", "an access token")
    )
    h = failure_hint(
        AuthError("bad token", crm="hubspot", status=401, code="INVALID_AUTHENTICATION")
    )
    assert h.startswith("authentication failed") and "crm-bridge check" in h
    h = failure_hint(QuotaExhausted("daily limit", crm="salesforce", code="REQUEST_LIMIT_EXCEEDED"))
    assert "quota" in h and "REQUEST_LIMIT_EXCEEDED" in h
    assert "rate limited" in failure_hint(RateLimited("429", crm="hubspot", status=429))
    cfg = ConfigError([ConfigIssue("mappings/sla.yaml", 3, "policies[0].within", "bad")])
    assert "mappings/sla.yaml:3" in failure_hint(cfg)
    assert "\n" not in failure_hint(ValueError("a\nb"))


def test_record_errors_hint():
    assert record_errors_hint(3, 200, "FIELD_CUSTOM_VALIDATION_EXCEPTION").startswith(
        "3 of 200 records failed, mostly FIELD_CUSTOM_VALIDATION_EXCEPTION"
    )


def test_webhook_alert_posts_json():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200)

    reached = notify_failure(
        NotifyTargets(webhook_url="http://127.0.0.1:9/hook"),
        job="hourly",
        run_id="r1",
        status="failed",
        hint="boom",
        transport=httpx.MockTransport(handler),
    )
    assert reached == ["webhook"]
    assert seen[0]["job"] == "hourly" and "boom" in seen[0]["text"]


def test_failed_webhook_never_raises():
    reached = notify_failure(
        NotifyTargets(webhook_url="http://127.0.0.1:9/hook"),
        job="j",
        run_id="r",
        status="failed",
        hint="h",
        transport=httpx.MockTransport(lambda r: httpx.Response(500)),
    )
    assert reached == []
