"""Reverting the first run puts back every value it replaced, except fields someone changed in
the CRM since: those are skipped and reported."""

from __future__ import annotations

from hubspot.crm.objects import SimplePublicObjectInput

from crm_bridge.jobs.revert import revert_run
from crm_bridge.model import RecordRef
from crm_bridge.sandbox.clients import hubspot_client, salesforce_client
from tests.e2e.conftest import E2E, FirstRun
from tests.e2e.support import (
    FieldWrites,
    close_all,
    connectors_for,
    snapshot,
    snapshot_diff,
)


def test_revert_restores_the_before_values_and_skips_edited_fields(
    e2e: E2E, first_run: FirstRun
) -> None:
    after = first_run.after
    contact = next(k for k, v in sorted(after.items()) if k[1] == "contacts" and v["crmb_persona"])
    lead = next(k for k, v in sorted(after.items()) if k[1] == "Lead" and v["CRMB_Function__c"])
    with e2e.serve("revert", first_run.state_file) as server:
        hubspot_client(server).crm.contacts.basic_api.update(
            contact[2], SimplePublicObjectInput(properties={"crmb_persona": "Picked by hand"})
        )
        sf = salesforce_client(server)
        sf.Lead.update(lead[2], {"CRMB_Function__c": "legal"})  # type: ignore[operator]
        sf.session.close()
        writes = FieldWrites.install(server.sandbox)
        targets = connectors_for(server)
        with e2e.store("revert", copy_of=first_run.db_file) as store:
            try:
                result = revert_run(
                    store=store,
                    run_id=first_run.summary.run_id,
                    targets=targets,
                    clock=e2e.clock,
                )
            finally:
                close_all(targets)
            reverted = store.get_run(result.summary.run_id)
        restored = snapshot(server)

    skipped = {(s.ref, s.field): s.why for s in result.skipped}
    assert set(skipped) == {
        (RecordRef("hubspot", "contacts", contact[2]), "crmb_persona"),
        (RecordRef("salesforce", "Lead", lead[2]), "CRMB_Function__c"),
    }
    assert all("changed in the CRM since" in why for why in skipped.values())
    # every other field the run wrote is back to its before value, each written once
    assert snapshot_diff(first_run.before, restored) == {
        (contact, "crmb_persona"): (None, "Picked by hand"),
        (lead, "CRMB_Function__c"): (None, "legal"),
    }
    written = first_run.summary.fields_written - 2
    assert result.summary.fields_written == sum(writes.counts.values()) == written
    assert set(writes.counts.values()) == {1}
    assert result.summary.status == "succeeded"
    assert reverted is not None and reverted.status == "succeeded"
