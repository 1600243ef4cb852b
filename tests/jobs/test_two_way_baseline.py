"""A two-way field edited on one side wins even when the other side's record looks newer:
the other side still holds the value crm-bridge copied from the last sync (its baseline)."""

from __future__ import annotations

from datetime import timedelta

from .test_pipeline import rules, sync, world  # noqa: F401  (fixtures)

LEAD = "00Q000000000001AAA"


def test_an_edit_is_not_reverted_by_an_unchanged_but_newer_record(rules, world):  # noqa: F811
    clock, sf, hs, _ = world
    hs.put("contacts", "501", jobtitle="Chief Financial Officer")  # newer than the lead
    first = sync(rules, world)
    assert first.status == "succeeded"
    assert sf.tables["Lead"][LEAD]["Title"] == "Chief Financial Officer"  # copied from HubSpot

    clock.now += timedelta(hours=1)
    hs.put("contacts", "501", hubspotscore="90")  # HubSpot record touched, title unchanged
    sf.put("Lead", LEAD, Title="VP Marketing")  # a rep edits the title in Salesforce...
    sf.modified[("Lead", LEAD)] = clock.now - timedelta(minutes=30)  # ...clock skew: "older"
    summary = sync(rules, world)
    assert summary.status == "succeeded"
    assert hs.tables["contacts"]["501"]["jobtitle"] == "VP Marketing"
    assert sf.tables["Lead"][LEAD]["Title"] == "VP Marketing"
