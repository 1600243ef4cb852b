"""The first run aligns both CRMs (read back through the official clients); a second run with
nothing changed in either CRM writes nothing."""

from __future__ import annotations

from typing import Any

from crm_bridge.sandbox.clients import salesforce_client
from tests.e2e.conftest import E2E, FirstRun
from tests.e2e.support import (
    HS_FIELDS,
    HS_PERSON,
    SF_FIELDS,
    SF_PERSON,
    linked_people,
    same_across,
    snapshot,
    sync,
    write_calls,
)

SLA_STATES = {"on_track", "at_risk", "breached", "met", "met_late"}
FUNCTIONS = {
    "general_management", "finance", "it", "engineering", "product", "marketing", "sales",
    "customer_success", "operations", "hr", "legal", "procurement", "unknown",
}  # fmt: skip
SENIORITIES = {"c_level", "vp", "director", "manager", "individual_contributor", "unknown"}
ROLES = {"decision_maker", "champion", "influencer", "blocker", "staller", "user", "unknown"}
STAGES = {"subscriber", "lead", "mql", "sal", "sql", "opportunity", "customer", "recycled",
          "disqualified"}  # fmt: skip


def test_every_written_field_is_read_back(first_run: FirstRun) -> None:
    summary = first_run.summary
    assert summary.status == "succeeded" and not summary.problems
    # each (record, field) reached the CRM exactly once, and was audited
    assert summary.fields_written == sum(first_run.field_writes.values()) > 500
    assert set(first_run.field_writes.values()) == {1}
    assert sum(first_run.audit.values()) == summary.fields_written
    # the snapshot covers every field the run wrote, and shows the audited values
    read_back = {("salesforce", o, f) for o, fs in SF_FIELDS.items() for f in fs}
    read_back |= {("hubspot", o, f) for o, fs in HS_FIELDS.items() for f in fs}
    written = {(crm, obj, name) for crm, obj, _, name in first_run.field_writes}
    assert written <= read_back
    for crm, obj, record_id, name, after in first_run.audit:
        now = first_run.after[(crm, obj, record_id)][name]
        assert same_across(now, after or None), (crm, obj, record_id, name, now, after)
    assert first_run.calls  # the writes went through the write endpoints
    assert first_run.before != first_run.after


def test_linked_people_show_the_same_alignment_in_both_crms(first_run: FirstRun) -> None:
    after = first_run.after
    pairs = linked_people(after)
    assert len(pairs) >= 20
    assert {p.sf_type for p in pairs} == {"Lead", "Contact"}
    for pair in pairs:
        sf = after[("salesforce", pair.sf_type, pair.sf_id)]
        hs = after[("hubspot", "contacts", pair.hs_id)]
        for sf_name, hs_name in zip(SF_PERSON[:-1], HS_PERSON[:-1], strict=True):
            assert same_across(sf[sf_name], hs[hs_name]), (pair, sf_name, sf[sf_name], hs[hs_name])
        assert sf["Title"] == hs["jobtitle"]  # a two-way synced field


def test_people_have_stage_persona_and_sla_values(e2e: E2E, first_run: FirstRun) -> None:
    after = first_run.after
    with e2e.serve("first-run-leads", first_run.state_file) as server:
        sf = salesforce_client(server)
        rows = sf.query_all("SELECT Id FROM Lead WHERE IsConverted = true")["records"]
        sf.session.close()
    converted = {row["Id"] for row in rows}
    assert converted  # converted leads are read but never written
    people = [(key, v) for key, v in after.items() if key[1] in ("Lead", "Contact", "contacts")]
    statuses = set()
    for (crm, _obj, record_id), values in people:
        names = dict(zip(HS_PERSON, SF_PERSON, strict=True)) if crm == "salesforce" else {}

        def get(name: str, values: dict[str, Any] = values, names: dict[str, str] = names) -> Any:
            return values[names.get(name, name)]

        if record_id in converted:
            assert all(get(n) is None for n in HS_PERSON), record_id
            continue
        assert get("crmb_function") in FUNCTIONS
        assert get("crmb_seniority") in SENIORITIES
        assert get("crmb_buying_role") in ROLES
        assert get("crmb_lifecycle_stage") in STAGES | {None}
        status = get("crmb_sla_status")
        assert status in SLA_STATES | {None}
        assert (status is None) == (get("crmb_sla_due") is None)
        statuses.add(status)
    assert {"on_track", "breached"} <= statuses
    staged = [v for (_, obj, _), v in people if obj == "contacts"]
    assert all(v["crmb_lifecycle_stage"] in STAGES for v in staged)


def test_deals_have_committee_coverage_in_both_crms(first_run: FirstRun) -> None:
    after = first_run.after
    for crm, obj, coverage, missing, stalled in (
        ("salesforce", "Opportunity", "CRMB_Committee_Coverage__c", "CRMB_Missing_Roles__c",
         "CRMB_Stalled__c"),
        ("hubspot", "deals", "crmb_committee_coverage", "crmb_missing_roles", "crmb_stalled"),
    ):  # fmt: skip
        deals = [v for key, v in after.items() if key[:2] == (crm, obj)]
        assert len(deals) >= 15
        for deal in deals:
            assert 0.0 <= float(deal[coverage]) <= 100.0
            assert deal[stalled] in ("true", "false")
            if float(deal[coverage]) < 100.0:
                assert deal[missing], deal  # what is missing is named
        assert any(float(d[coverage]) > 0 for d in deals)
        assert any(d[stalled] == "true" for d in deals)


def test_second_run_without_changes_writes_nothing(e2e: E2E, first_run: FirstRun) -> None:
    with e2e.serve("second-run", first_run.state_file) as server:
        with e2e.store("second-run", copy_of=first_run.db_file) as store:
            summary = sync(e2e.project, server, store, clock=e2e.clock)
        assert write_calls(server) == {}
        assert snapshot(server) == first_run.after
    assert summary.status == "succeeded"
    assert summary.fields_written == 0 and summary.as_dict()["fields_written"] == 0
    assert sum(c.read for c in summary.counts.values()) > 0  # it did read the records again
    assert all(c.changed == 0 and c.written == 0 for c in summary.counts.values())
