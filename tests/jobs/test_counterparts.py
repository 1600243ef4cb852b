"""Incremental runs look up, by email, the other CRM's copy of a person read on one side only."""

from __future__ import annotations

from datetime import timedelta

from .test_pipeline import rules, sync, world  # noqa: F401  (fixtures)


def test_new_hubspot_contact_links_to_an_unchanged_salesforce_lead(rules, world):  # noqa: F811
    clock, sf, hs, _ = world
    sf.put("Lead", "00Q000000000009AAA", Email="Cy@Gamma.io", Title="CTO", Company="Gamma")
    hs.tables["contacts"].pop("502")  # keep the first run small and unambiguous
    first = sync(rules, world)
    assert first.status == "succeeded"
    assert sf.finds == [] and hs.finds == []  # a first (full) read needs no lookups
    lead = sf.tables["Lead"]["00Q000000000009AAA"]
    assert not lead.get("CRMB_HubSpot_Id__c")  # nobody in HubSpot yet
    clock.now += timedelta(hours=1)
    # a newer lead moves the Lead cursor past Cy's lead, which is then no longer read
    sf.put("Lead", "00Q000000000008AAA", Email="dee@delta.io", Title="CEO", Company="Delta")
    sync(rules, world)
    sf.finds.clear()
    hs.finds.clear()

    clock.now += timedelta(hours=1)
    hs.put("contacts", "777", email=" cy@gamma.io", jobtitle="CTO", company="Gamma")
    second = sync(rules, world)  # incremental: the lead did not change
    assert second.status == "succeeded"
    assert sf.finds and all(field == "Email" for _, field, _ in sf.finds)
    assert "cy@gamma.io" in {v for *_, values in sf.finds for v in values}
    assert lead["CRMB_HubSpot_Id__c"] == "777"
    assert hs.tables["contacts"]["777"]["crmb_salesforce_id"] == "00Q000000000009AAA"

    clock.now += timedelta(minutes=1)
    sf.finds.clear()
    hs.put("contacts", "777", jobtitle="Chief Technology Officer")
    sync(rules, world)  # Cy changed again: now linked, so never looked up
    assert "cy@gamma.io" not in {v for *_, values in sf.finds for v in values}
    assert sf.tables["Lead"]["00Q000000000009AAA"]["Title"] == "Chief Technology Officer"


def test_no_lookup_for_linked_people(rules, world):  # noqa: F811
    clock, sf, hs, _ = world
    sync(rules, world)
    clock.now += timedelta(hours=1)
    sync(rules, world)  # settles: re-reads its own writes
    sf.put("Lead", "00Q000000000001AAA", Title="CFO and COO")
    hs.put("contacts", "501", jobtitle="CFO and COO")
    sync(rules, world)  # ann changed on both sides and is linked: never looked up
    looked_up = {v for c in (sf, hs) for *_, values in c.finds for v in values}
    assert "ann@acme.com" not in looked_up


def test_people_created_before_the_last_run_are_not_looked_up_again(rules, world):  # noqa: F811
    clock, sf, hs, _ = world
    hs.put("contacts", "502", createdate="2020-01-01T00:00:00Z")  # bob: HubSpot only, old
    sync(rules, world)
    clock.now += timedelta(hours=1)
    sync(rules, world)  # settles
    sf.finds.clear()
    clock.now += timedelta(hours=1)
    hs.put("contacts", "502", jobtitle="Staff Engineer")  # an edit, not a new person
    hs.put("contacts", "900", email="eve@new.io", createdate=clock.now.isoformat())
    sync(rules, world)
    looked_up = {v for *_, values in sf.finds for v in values}
    assert "eve@new.io" in looked_up and "bob@beta.io" not in looked_up
