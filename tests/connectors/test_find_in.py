"""Batched lookups by a field's values (people by email) on both connectors, on the sandbox."""

from __future__ import annotations

from crm_bridge.sandbox.server import SandboxServer
from tests.connectors.support import connectors


def test_find_in_returns_exactly_the_matching_people(sandbox: SandboxServer) -> None:
    sf, hs = connectors(sandbox)
    leads = [r for r in sandbox.sandbox.salesforce.records("Lead") if r.get("Email")][:3]
    emails = [str(r["Email"]).upper() for r in leads] + ["nobody@nowhere.example"]
    got = list(sf.find_in("Lead", "Email", emails, ["Email"]))
    lower = {e.lower() for e in emails}
    expected_leads = {
        str(r["Id"])
        for r in sandbox.sandbox.salesforce.records("Lead")
        if str(r.get("Email") or "").lower() in lower
    }
    assert {r.ref.id for r in got} == expected_leads and len(expected_leads) >= 3
    assert sf.stats.by_endpoint["query"] == 1  # one SOQL IN for up to 200 values

    contacts = [r for r in sandbox.sandbox.hubspot.live("contacts") if r.props.get("email")][:150]
    wanted = [str(r.props["email"]) for r in contacts]
    found = list(hs.find_in("contacts", "email", wanted, ["email"]))
    expected = {
        str(r.id)
        for r in sandbox.sandbox.hubspot.live("contacts")
        if str(r.props.get("email") or "").lower() in {w.lower() for w in wanted}
    }
    assert sorted(r.ref.id for r in found) == sorted(expected)  # duplicates by email included
    assert hs.stats.by_endpoint["search"] == 2  # 100 values per IN filter
