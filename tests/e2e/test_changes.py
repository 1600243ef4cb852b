"""Changes made in one CRM through its official client reach the other on the next run: a
two-way synced field (job title) and the persona tags derived from it, on both sides."""

from __future__ import annotations

from hubspot.crm.objects import SimplePublicObjectInput

from crm_bridge.sandbox.clients import hubspot_client, salesforce_client
from tests.e2e.conftest import E2E, FirstRun
from tests.e2e.support import Linked, Snapshot, linked_people, snapshot, snapshot_diff, sync


def _pick(pairs: list[Linked], after: Snapshot, sf_type: str, not_function: str) -> Linked:
    for pair in pairs:
        values = after[("salesforce", pair.sf_type, pair.sf_id)]
        if pair.sf_type == sf_type and values["CRMB_Function__c"] != not_function:
            return pair
    raise AssertionError(f"no linked {sf_type} outside {not_function} in the sandbox")


def test_title_edits_flow_both_ways_with_their_persona_tags(e2e: E2E, first_run: FirstRun) -> None:
    pairs = linked_people(first_run.after)
    in_hubspot = _pick(pairs, first_run.after, "Contact", "finance")
    in_salesforce = _pick(pairs, first_run.after, "Lead", "marketing")
    with e2e.serve("changes", first_run.state_file) as server:
        hs = hubspot_client(server)
        hs.crm.contacts.basic_api.update(
            in_hubspot.hs_id,
            SimplePublicObjectInput(properties={"jobtitle": "Chief Financial Officer"}),
        )
        sf = salesforce_client(server)
        sf.Lead.update(in_salesforce.sf_id, {"Title": "VP of Marketing"})  # type: ignore[operator]
        sf.session.close()
        edited = snapshot(server)
        with e2e.store("changes", copy_of=first_run.db_file) as store:
            summary = sync(e2e.project, server, store, clock=e2e.clock)
        after = snapshot(server)

    assert summary.status == "succeeded" and not summary.problems
    cfo_sf = after[("salesforce", "Contact", in_hubspot.sf_id)]
    cfo_hs = after[("hubspot", "contacts", in_hubspot.hs_id)]
    assert cfo_sf["Title"] == cfo_hs["jobtitle"] == "Chief Financial Officer"
    for function, seniority in (
        (cfo_sf["CRMB_Function__c"], cfo_sf["CRMB_Seniority__c"]),
        (cfo_hs["crmb_function"], cfo_hs["crmb_seniority"]),
    ):
        assert (function, seniority) == ("finance", "c_level")
    assert cfo_sf["CRMB_Persona__c"] == cfo_hs["crmb_persona"] is not None

    vp_sf = after[("salesforce", "Lead", in_salesforce.sf_id)]
    vp_hs = after[("hubspot", "contacts", in_salesforce.hs_id)]
    assert vp_sf["Title"] == vp_hs["jobtitle"] == "VP of Marketing"
    for function, seniority in (
        (vp_sf["CRMB_Function__c"], vp_sf["CRMB_Seniority__c"]),
        (vp_hs["crmb_function"], vp_hs["crmb_seniority"]),
    ):
        assert (function, seniority) == ("marketing", "vp")

    # only the two people (and perhaps deals they sit on) changed, each change written once
    changed = snapshot_diff(edited, after)
    people = {key for key, _ in changed if key[1] in ("Lead", "Contact", "contacts")}
    assert people == {
        ("salesforce", "Contact", in_hubspot.sf_id),
        ("hubspot", "contacts", in_hubspot.hs_id),
        ("salesforce", "Lead", in_salesforce.sf_id),
        ("hubspot", "contacts", in_salesforce.hs_id),
    }
    assert summary.fields_written == len(changed)
