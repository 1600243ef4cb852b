"""FaultInjector, CallCounter and TokenRegistry as plain objects (no server)."""

from __future__ import annotations

import pytest

from crm_bridge.sandbox.calls import CallCounter, endpoint_key
from crm_bridge.sandbox.faults import FaultInjector
from crm_bridge.sandbox.tokens import TokenRegistry


def test_take_matches_crm_and_endpoint_pattern_and_counts_down() -> None:
    f = FaultInjector()
    fid = f.add("server_error", crm="hubspot", endpoint="POST /crm/v3/objects/*/batch/*", count=2)
    assert f.take("salesforce", "POST", "/crm/v3/objects/contacts/batch/update") is None
    assert f.take("hubspot", "GET", "/crm/v3/objects/contacts/batch/update") is None
    first = f.take("hubspot", "POST", "/crm/v3/objects/contacts/batch/update")
    assert first is not None and first.id == fid and first.kind == "server_error"
    assert f.take("hubspot", "post", "/crm/v3/objects/deals/batch/create") is not None
    assert f.take("hubspot", "POST", "/crm/v3/objects/deals/batch/create") is None
    assert f.list() == []


def test_unlimited_fault_fires_until_removed_and_wildcard_crm() -> None:
    f = FaultInjector()
    fid = f.add("slow", crm="*", delay_s=0.5)
    assert all(f.take(c, "GET", "/x") is not None for c in ("salesforce", "hubspot") * 3)
    assert f.remove(fid) is True
    assert f.remove(fid) is False
    assert f.take("hubspot", "GET", "/x") is None


def test_rate_fires_about_that_often_and_repeats_after_clear() -> None:
    f = FaultInjector(seed=3)
    f.add("rate_limit", crm="hubspot", rate=0.25)
    first = [f.take("hubspot", "GET", "/crm/v3/objects/contacts") is not None for _ in range(2000)]
    assert 400 < sum(first) < 600
    f.clear()
    f.add("rate_limit", crm="hubspot", rate=0.25)
    again = [f.take("hubspot", "GET", "/crm/v3/objects/contacts") is not None for _ in range(2000)]
    assert again == first


def test_record_failures_only_for_listed_ids_and_not_as_request_faults() -> None:
    f = FaultInjector()
    f.add("record_failure", crm="salesforce", endpoint="* /services/data/*/composite/sobjects",
          record_ids=["001A", "001B"], count=1)  # fmt: skip
    path = "/services/data/v59.0/composite/sobjects"
    assert f.take("salesforce", "PATCH", path) is None
    assert f.record_failure("salesforce", "PATCH", path, "001C") is None
    code, message = f.record_failure("salesforce", "PATCH", path, "001B") or ("", "")
    assert code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert message
    assert f.record_failure("salesforce", "PATCH", path, "001A") is None  # count used up
    f.add("record_failure", crm="hubspot", code="INVALID_EMAIL", message="bad email")
    assert f.record_failure("hubspot", "POST", "/crm/v3/objects/contacts/batch/create", "") == (
        "INVALID_EMAIL",
        "bad email",
    )


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"kind": "meteor", "crm": "hubspot"}, "unknown fault kind"),
        ({"kind": "slow", "crm": "pipedrive"}, "unknown crm"),
        ({"kind": "slow", "crm": "hubspot", "count": 0}, "count"),
        ({"kind": "slow", "crm": "hubspot", "rate": 1.5}, "rate"),
    ],
)
def test_add_rejects_bad_input(kwargs: dict[str, object], error: str) -> None:
    kind = str(kwargs.pop("kind"))
    with pytest.raises(ValueError, match=error):
        FaultInjector().add(kind, **kwargs)  # type: ignore[arg-type]


def test_endpoint_keys_replace_ids() -> None:
    assert endpoint_key("get", "/services/data/v59.0/sobjects/Lead/00Q8d000000000bEAA") == (
        "GET /services/data/v59.0/sobjects/Lead/{id}"
    )
    assert endpoint_key("GET", "/services/data/v59.0/query/01g8d000000000012A-2000") == (
        "GET /services/data/v59.0/query/{id}"
    )
    assert endpoint_key("PATCH", "/crm/v3/objects/contacts/1000123") == (
        "PATCH /crm/v3/objects/contacts/{id}"
    )
    assert endpoint_key("GET", "/crm/v3/objects/contacts/ann@ex.com") == (
        "GET /crm/v3/objects/contacts/{id}"
    )
    assert endpoint_key("GET", "/crm/v3/properties/contacts/crmb_persona") == (
        "GET /crm/v3/properties/contacts/crmb_persona"
    )


def test_call_counter_snapshot_and_reset() -> None:
    c = CallCounter()
    c.record("hubspot", "GET", "/crm/v3/objects/contacts/1", 200)
    c.record("hubspot", "GET", "/crm/v3/objects/contacts/2", 429)
    c.record("salesforce", "GET", "/services/data/v59.0/limits/", 200)
    snap = c.snapshot()
    assert snap["total"] == 3
    assert snap["hubspot"] == {
        "total": 2,
        "endpoints": {"GET /crm/v3/objects/contacts/{id}": 2},
        "statuses": {"200": 1, "429": 1},
    }
    assert c.total("salesforce") == 1
    c.reset()
    assert c.snapshot()["salesforce"]["total"] == 0


def test_tokens_issue_validate_expire_and_ttl() -> None:
    now = [100.0]
    tokens = TokenRegistry(clock=lambda: now[0])
    sf = tokens.issue("salesforce")
    hs = tokens.issue("hubspot", ttl_s=60)
    assert tokens.valid("salesforce", sf) and tokens.valid("hubspot", hs)
    assert not tokens.valid("hubspot", sf)
    now[0] += 61
    assert not tokens.valid("hubspot", hs)
    assert tokens.valid("salesforce", sf)
    tokens.expire("salesforce")
    assert not tokens.valid("salesforce", sf)
    assert sf.startswith("00D") and hs.startswith("pat-")
