from crm_bridge.jobs.revert import revert_run
from crm_bridge.jobs.sync import SyncOptions, run_sync

from .test_pipeline import rules, sync, world  # noqa: F401 - fixtures


def test_revert_restores_before_values_and_skips_fields_changed_since(rules, world):  # noqa: F811
    clock, sf, hs, store = world
    first = sync(rules, world)
    lead = sf.tables["Lead"]["00Q000000000001AAA"]
    assert lead["CRMB_Function__c"] == "finance"
    # a person edits one field that the run wrote
    sf.put("Lead", "00Q000000000001AAA", CRMB_Seniority__c="vp")
    result = revert_run(
        store=store, run_id=first.run_id, targets={"salesforce": sf, "hubspot": hs}, clock=clock
    )
    assert result.summary.status == "succeeded"
    assert lead.get("CRMB_Function__c") in (None, "")
    assert lead["CRMB_Seniority__c"] == "vp"  # kept: changed in the CRM since
    assert any(s.field == "CRMB_Seniority__c" for s in result.skipped)
    assert hs.tables["contacts"]["501"].get("crmb_function") in (None, "")
    # the revert is audited as its own run
    assert list(store.iter_audit(result.summary.run_id))


def test_dry_run_revert_plans_only(rules, world):  # noqa: F811
    clock, sf, hs, store = world
    first = sync(rules, world)
    n = len(sf.writes)
    result = revert_run(
        store=store,
        run_id=first.run_id,
        targets={"salesforce": sf, "hubspot": hs},
        clock=clock,
        dry_run=True,
    )
    assert result.changes and len(sf.writes) == n


def test_rerun_after_revert_realigns(rules, world):  # noqa: F811
    clock, sf, hs, store = world
    first = sync(rules, world)
    revert_run(
        store=store, run_id=first.run_id, targets={"salesforce": sf, "hubspot": hs}, clock=clock
    )
    again = run_sync(
        store=store,
        connectors={"salesforce": sf, "hubspot": hs},
        rules=rules,
        options=SyncOptions(job="test", full=True),
        clock=clock,
    )
    assert again.fields_written > 0
    assert sf.tables["Lead"]["00Q000000000001AAA"]["CRMB_Function__c"] == "finance"
