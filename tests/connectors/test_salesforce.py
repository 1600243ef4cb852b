"""Salesforce connector on the HTTPS sandbox: reads, writes, describe, custom fields, check."""

from __future__ import annotations

from datetime import UTC, date, datetime

from crm_bridge.connectors.base import FieldSpec
from crm_bridge.model import RecordRef, RecordUpdate
from crm_bridge.sandbox.server import SandboxServer
from tests.connectors.support import connectors, seed_leads


def _lead_ids(server: SandboxServer, deleted: bool = False) -> set[str]:
    return {
        str(r["Id"]) for r in server.sandbox.salesforce.records("Lead", include_deleted=deleted)
    }


def test_full_read_pages_and_includes_deleted(sandbox: SandboxServer) -> None:
    ids = seed_leads(sandbox, 4_500)
    sandbox.sandbox.salesforce.delete("Lead", ids[0])
    sf, _ = connectors(sandbox)
    records = list(sf.read("Lead", ["Email", "CreatedDate"], None))
    got = [r.ref.id for r in records]
    assert len(got) == len(set(got))
    assert set(got) == _lead_ids(sandbox, deleted=True)
    by_id = {r.ref.id: r for r in records}
    assert by_id[ids[0]].deleted is True and by_id[ids[1]].deleted is False
    assert by_id[ids[1]].fields["Email"] == "t1@tco.example"
    assert isinstance(by_id[ids[1]].fields["CreatedDate"], datetime)
    assert by_id[ids[1]].modified_at.tzinfo is not None
    stamps = [r.modified_at for r in records]
    assert stamps == sorted(stamps)
    assert "ConvertedContactId" in by_id[ids[1]].fields
    assert sf.stats.by_endpoint["query"] == -(-len(got) // 2000)


def test_incremental_read_selects_since_minus_lookback(sandbox: SandboxServer) -> None:
    old = seed_leads(sandbox, 3, stamp="2024-01-01T12:00:00.000+0000")
    new = seed_leads(sandbox, 2, stamp="2099-01-01T12:05:00.000+0000")
    sf, _ = connectors(sandbox)
    got = {r.ref.id for r in sf.read("Lead", ["Email"], datetime(2099, 1, 1, 12, 6, tzinfo=UTC))}
    assert got == set(new)
    assert not set(old) & got


def test_converted_leads_link_to_their_contact(sandbox: SandboxServer) -> None:
    sf, _ = connectors(sandbox)
    converted = [r for r in sf.read("Lead", ["Email"], None) if r.fields.get("IsConverted")]
    assert converted, "the seeded org has converted leads"
    for lead in converted:
        contact = lead.fields["ConvertedContactId"]
        assert lead.associations["converted_contact"] == (contact,)


def test_write_collections_of_200_then_read_back(sandbox: SandboxServer) -> None:
    ids = seed_leads(sandbox, 450)
    sf, _ = connectors(sandbox)
    updates = [
        RecordUpdate(RecordRef("salesforce", "Lead", i), {"Title": f"T{n}"})
        for n, i in enumerate(ids)
    ]
    results = list(sf.write("Lead", updates))
    assert [r.ref.id for r in results] == ids and all(r.ok for r in results)
    assert sf.stats.by_endpoint["composite"] == 3
    assert sf.read_current("Lead", [ids[-1]], ["Title"]) == {ids[-1]: {"Title": "T449"}}


def test_write_checks_field_level_security_first(sandbox: SandboxServer) -> None:
    ids = seed_leads(sandbox, 2)
    sf, _ = connectors(sandbox)
    results = list(
        sf.write(
            "Lead",
            [
                RecordUpdate(RecordRef("salesforce", "Lead", ids[0]), {"Name": "x"}),
                RecordUpdate(RecordRef("salesforce", "Lead", ids[1]), {"Title": "ok"}),
            ],
        )
    )
    assert (results[0].ok, results[0].code, results[0].fields) == (
        False,
        "NOT_UPDATEABLE",
        ("Name",),
    )
    assert results[1].ok
    assert sf.stats.by_endpoint["composite"] == 1


def test_ensure_fields_creates_custom_fields_once(sandbox: SandboxServer) -> None:
    sf, _ = connectors(sandbox)
    specs = [
        FieldSpec("CRMB_Persona__c", "string", "Persona"),
        FieldSpec("CRMB_SLA_Due__c", "datetime"),
        FieldSpec("CRMB_Stage__c", "string", options=("mql", "sql")),
        FieldSpec("CRMB_Stalled__c", "bool"),
        FieldSpec("CRMB_Days__c", "int"),
        FieldSpec("CRMB_Since__c", "date"),
    ]
    assert sf.ensure_fields("Lead", specs) == [s.name for s in specs]
    assert sf.ensure_fields("Lead", specs) == []
    fields = sf.describe("Lead").fields
    assert fields["CRMB_Stage__c"].options == ("mql", "sql")
    assert fields["CRMB_SLA_Due__c"].type == "datetime" and fields["CRMB_Persona__c"].custom
    lead = seed_leads(sandbox, 1)[0]
    when = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    values = {"CRMB_SLA_Due__c": when, "CRMB_Stalled__c": True, "CRMB_Since__c": date(2024, 5, 1)}
    assert all(
        r.ok
        for r in sf.write("Lead", [RecordUpdate(RecordRef("salesforce", "Lead", lead), values)])
    )
    assert sf.read_current("Lead", [lead], list(values))[lead] == values


def test_contact_roles(sandbox: SandboxServer) -> None:
    sf, _ = connectors(sandbox)
    roles = list(sf.read_contact_roles())
    assert roles and any(r.is_primary for r in roles)
    opp = roles[0].opportunity.id
    assert set(sf.read_contact_roles([opp])) == {r for r in roles if r.opportunity.id == opp}


def test_check_reports_missing_and_read_only_fields_and_budget(sandbox: SandboxServer) -> None:
    sf, _ = connectors(sandbox)
    report = sf.check({"Lead": ["Title", "Name", "CRMB_Nope__c"]})
    assert report.auth_ok and not report.ok
    assert report.missing_fields["Lead"] == ["CRMB_Nope__c"]
    assert report.not_updateable["Lead"] == ["Name"]
    assert report.budget_max and report.budget_remaining is not None
