"""Field mapping: both CRMs into canonical records, per-record issues, round trips, check."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from crm_bridge.config.fields import FieldsFile
from crm_bridge.mapping.fields import FieldMapper, check, format_value
from crm_bridge.model import Opportunity, Person, RecordRef

from .conftest import load, source


@pytest.fixture(scope="module")
def mapper(fields_file: FieldsFile) -> FieldMapper:
    return FieldMapper(fields_file)


def test_salesforce_lead_and_hubspot_contact(mapper: FieldMapper) -> None:
    lead = source(
        "salesforce",
        "Lead",
        "00Q1",
        Email=" Ann@Acme.COM ",
        Title="VP Sales",
        Company="Acme",
        Lead_Score__c=72.0,
        Status="Working - Contacted",
        LeadSource="Web",
        CreatedDate="2024-01-15T10:20:30.000+0000",
    )
    mapped = mapper.map(lead)
    assert isinstance(mapped.record, Person) and mapped.issues == ()
    v = mapped.record.values
    assert v["email"] == "ann@acme.com" and v["lead_score"] == 72
    assert v["lead_status"] == "working" and v["lead_source"] == "web"
    assert v["created_at"] == datetime(2024, 1, 15, 10, 20, 30, tzinfo=UTC)
    assert "department" not in v  # Lead has no Department mapping
    contact = source(
        "hubspot",
        "contacts",
        "512",
        email="ann@acme.com",
        jobtitle="VP Sales",
        hubspotscore="72",
        hs_lead_status="IN_PROGRESS",
        hs_analytics_source="ORGANIC_SEARCH",
        createdate="2024-01-15T10:20:30.000Z",
    )
    hv = mapper.map(contact).record.values
    for name in ("email", "lead_score", "lead_status", "lead_source", "created_at", "title"):
        assert hv[name] == v[name], name
    assert mapped.record.get("sf.Status") == "Working - Contacted"


def test_bad_values_become_issues(mapper: FieldMapper) -> None:
    deal = source("hubspot", "deals", "9", dealname="Big", amount="lots", closedate="31/12/2024")
    mapped = mapper.map(deal)
    assert isinstance(mapped.record, Opportunity)
    assert mapped.record.values["amount"] is None
    issues = {i.field: i for i in mapped.issues}
    assert set(issues) == {"amount", "close_date"}
    assert issues["amount"].record == RecordRef("hubspot", "deals", "9")
    assert issues["amount"].native_field == "amount" and issues["amount"].value == "lots"
    assert "expects a number" in issues["amount"].why
    assert "hubspot/deals/9 amount -> amount" in str(issues["amount"])


def test_round_trip_salesforce_to_hubspot_and_back(mapper: FieldMapper) -> None:
    opp = source(
        "salesforce",
        "Opportunity",
        "0061",
        Name="Acme renewal",
        StageName="Proposal/Price Quote",
        Amount=50000.0,
        CloseDate="2024-06-30",
        LeadSource="Trade Show",
        IsClosed=False,
    )
    canonical = mapper.map(opp).record.values
    assert canonical["stage"] == "decision" and canonical["lead_source"] == "event"
    as_hs = mapper.to_native("hubspot", "deals", canonical)
    assert as_hs["dealstage"] == "decisionmakerboughtin"
    assert as_hs["closedate"] == "2024-06-30" and as_hs["hs_is_closed"] == "false"
    back = mapper.map(source("hubspot", "deals", "9", **as_hs)).record.values
    for name in ("name", "stage", "amount", "close_date", "lead_source", "is_closed"):
        assert back[name] == canonical[name], name
    as_sf = mapper.to_native("salesforce", "Opportunity", back)
    assert as_sf["StageName"] == "Id. Decision Makers" and as_sf["CloseDate"] == "2024-06-30"
    again = mapper.map(source("salesforce", "Opportunity", "0061", **as_sf)).record.values
    assert {k: again[k] for k in back if k in again and k in as_sf} == {
        k: back[k] for k in back if k in again and k in as_sf
    }


def test_alignment_update_per_crm(mapper: FieldMapper) -> None:
    due = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    values: dict[str, Any] = {
        "persona": "x" * 100,
        "sla_due_at": due,
        "stalled": True,
        "hubspot_id": "512",
        "salesforce_id": "00Q1",
    }
    sf = mapper.alignment_update(RecordRef("salesforce", "Lead", "00Q1"), values)
    assert sf.fields == {
        "CRMB_Persona__c": "x" * 80,
        "CRMB_SLA_Due__c": "2024-03-01T09:30:00.000+0000",
        "CRMB_HubSpot_Id__c": "512",
    }
    hs = mapper.alignment_update(RecordRef("hubspot", "deals", "7"), values)
    assert hs.fields == {"crmb_stalled": "true", "crmb_salesforce_id": "00Q1"}
    assert format_value("hubspot", None) == "" and format_value("salesforce", None) is None
    assert format_value("hubspot", date(2024, 1, 2)) == "2024-01-02"
    assert format_value("salesforce", ("a", "b")) == "a;b"


def test_check_reports_unknown_fields(fields_file: FieldsFile) -> None:
    describe = {name: {} for name in ("Email", "FirstName", "LastName", "Title", "Phone")}
    missing = check(fields_file, "salesforce", "Contact", describe)
    names = {m.field for m in missing}
    assert "Department" in names and "CRMB_Persona__c" in names
    assert "Email" not in names and "Company" not in names  # Company is Lead-only
    assert any(m.direction == "write" for m in missing)
    assert "salesforce Contact has no field 'Department'" in str(
        next(m for m in missing if m.field == "Department")
    )


def test_schema_errors_are_helpful() -> None:
    with pytest.raises(ValidationError, match="unknown transform 'lowercase'"):
        FieldsFile.model_validate(
            {"person": {"email": {"hubspot": "email", "transform": ["lowercase"]}}}
        )
    with pytest.raises(ValidationError, match="picklist 'nope' is not defined"):
        FieldsFile.model_validate({"person": {"s": {"hubspot": "x", "picklist": "nope"}}})
    with pytest.raises(ValidationError, match="unknown object 'Account'"):
        FieldsFile.model_validate({"person": {"s": {"salesforce": {"Account": "X"}}}})
    with pytest.raises(ValidationError, match="at least one CRM"):
        FieldsFile.model_validate({"person": {"s": {"type": "int"}}})
    with pytest.raises(ValidationError, match="Extra inputs"):
        FieldsFile.model_validate({"person": {"s": {"hubspot": "x", "transfrom": []}}})


native = st.one_of(st.none(), st.text(), st.integers(), st.floats(), st.booleans(), st.dates())


MAPPER = FieldMapper(FieldsFile.model_validate(load("fields")))


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "Amount",
                "CloseDate",
                "IsClosed",
                "Name",
                "StageName",
                "CreatedDate",
                "LastStageChangeDate",
            ]
        ),
        native,
    )
)
def test_mapping_never_raises(fields: dict[str, Any]) -> None:
    mapped = MAPPER.map(source("salesforce", "Opportunity", "0061", **fields))
    for issue in mapped.issues:
        assert issue.record.id == "0061" and issue.field and issue.why
        assert mapped.record.values[issue.field] is None
