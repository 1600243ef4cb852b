"""sObject CRUD, describe, validation errors, limits and sessions through simple_salesforce."""

# ruff: noqa: F811
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from tests.sandbox.salesforce_env import Env, sf, sf_server, sfenv  # noqa: F401


def test_describe_lead(sf: Salesforce) -> None:
    describe = sf.Lead.describe()
    assert describe["name"] == "Lead" and describe["keyPrefix"] == "00Q"
    fields = {f["name"]: f for f in describe["fields"]}
    for name in (
        "Status",
        "IsConverted",
        "ConvertedContactId",
        "ConvertedAccountId",
        "ConvertedOpportunityId",
        "ConvertedDate",
        "LeadSource",
        "Title",
        "Email",
        "Company",
        "Rating",
        "Industry",
        "NumberOfEmployees",
        "Lead_Score__c",
        "OwnerId",
        "CreatedDate",
        "LastModifiedDate",
        "SystemModstamp",
        "IsDeleted",
        "LastActivityDate",
    ):
        assert name in fields, name
    status = fields["Status"]
    assert status["type"] == "picklist" and status["restrictedPicklist"] is True
    assert any(v["defaultValue"] for v in status["picklistValues"])
    assert fields["IsConverted"]["updateable"] is False
    assert fields["ConvertedContactId"]["referenceTo"] == ["Contact"]
    assert fields["ConvertedContactId"]["relationshipName"] == "ConvertedContact"
    assert fields["Lead_Score__c"]["custom"] is True
    assert fields["Title"]["length"] == 128


def test_global_describe_and_metadata(sf: Salesforce) -> None:
    names = {s["name"]: s["keyPrefix"] for s in sf.describe()["sobjects"]}
    assert names["Account"] == "001" and names["Contact"] == "003"
    assert names["Opportunity"] == "006" and names["User"] == "005"
    assert names["OpportunityContactRole"] == "00K" and names["Task"] == "00T"
    assert sf.Opportunity.metadata()["objectDescribe"]["name"] == "Opportunity"
    opp = {f["name"]: f for f in sf.Opportunity.describe()["fields"]}
    assert opp["LastStageChangeDate"]["type"] == "datetime"
    assert opp["IsWon"]["updateable"] is False


def test_crud_round_trip_updates_stamps(
    sf: Salesforce, sfenv: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = sf.Lead.create(
        {
            "FirstName": "Cara",
            "LastName": "Crud",
            "Company": "CRUD Ltd",
            "Email": "cara@crud.example",
            "NumberOfEmployees": 40,
        }
    )
    assert created["success"] is True and created["errors"] == []
    lead = sf.Lead.get(created["id"])
    assert lead["Name"] == "Cara Crud" and lead["Status"] == "Open - Not Contacted"
    assert lead["IsConverted"] is False and lead["NumberOfEmployees"] == 40
    assert lead["attributes"]["type"] == "Lead"
    before = lead["SystemModstamp"]
    monkeypatch.setattr(sfenv.salesforce, "now", lambda: datetime(2031, 1, 1, tzinfo=UTC))
    assert sf.Lead.update(created["id"], {"Title": "VP Finance", "Lead_Score__c": 72}) == 204
    after = sf.Lead.get(created["id"])
    assert after["Title"] == "VP Finance" and after["Lead_Score__c"] == 72
    assert after["SystemModstamp"] == after["LastModifiedDate"] == "2031-01-01T00:00:00.000+0000"
    assert after["SystemModstamp"] > before
    assert sf.Lead.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Lead.get(created["id"])
    assert info.value.content[0]["errorCode"] == "NOT_FOUND"


def test_opportunity_stage_drives_read_only_fields(sf: Salesforce) -> None:
    opp = sf.Opportunity.create(
        {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2024-06-30", "Amount": 5000}
    )["id"]
    first = sf.Opportunity.get(opp)
    assert first["IsClosed"] is False and first["LastStageChangeDate"] is not None
    sf.Opportunity.update(opp, {"StageName": "Closed Won"})
    won = sf.Opportunity.get(opp)
    assert won["IsClosed"] is True and won["IsWon"] is True and won["Probability"] == 100
    assert won["FiscalYear"] == 2024 and won["FiscalQuarter"] == 2


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"Foo__c": 1}, "INVALID_FIELD"),
        ({"IsConverted": True}, "INVALID_FIELD_FOR_INSERT_UPDATE"),
        ({"Name": "x"}, "INVALID_FIELD_FOR_INSERT_UPDATE"),
        ({"Status": "Not A Status"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
        ({"NumberOfEmployees": "many"}, "JSON_PARSER_ERROR"),
        ({"Title": "x" * 200}, "STRING_TOO_LONG"),
        ({"LastName": None}, "REQUIRED_FIELD_MISSING"),
        ({"OwnerId": "001000000000000AAA"}, "INVALID_CROSS_REFERENCE_KEY"),
    ],
)
def test_update_validation_errors(sf: Salesforce, body: dict[str, Any], code: str) -> None:
    lead = sf.Lead.create({"LastName": "Valid", "Company": "V"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Lead.update(lead, body)
    assert info.value.status == 400
    assert info.value.content[0]["errorCode"] == code
    assert sf.Lead.get(lead)["LastName"] == "Valid"


def test_create_requires_fields_and_unknown_ids_404(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.Contact.create({"FirstName": "No"})
    assert info.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert info.value.content[0]["fields"] == ["LastName"]
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.update("003000000000000AAA", {"Title": "x"})
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.delete("003000000000000AAA")


def test_limits_header_and_endpoint(
    sf: Salesforce, sfenv: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sfenv.salesforce.api, "daily_max", 500)
    sf.query("SELECT COUNT() FROM Lead")
    usage = sf.api_usage["api-usage"]
    assert usage.total == 500 and usage.used >= 1
    limits = sf.limits()
    assert limits["DailyApiRequests"]["Max"] == 500
    assert limits["DailyApiRequests"]["Remaining"] == 500 - usage.used - 1


def test_daily_allocation_exhausted_is_refused(
    sf: Salesforce, sfenv: Env, monkeypatch: pytest.MonkeyPatch
) -> None:

    monkeypatch.setattr(sfenv.salesforce.api, "daily_max", 3)
    for _ in range(3):
        sf.query("SELECT COUNT() FROM Lead")
    with pytest.raises(SalesforceRefusedRequest) as info:
        sf.query("SELECT COUNT() FROM Lead")
    assert info.value.status == 403
    assert info.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_expired_session_raises_expired_session(sf: Salesforce, sfenv: Env) -> None:
    sfenv.tokens.expire("salesforce")
    with pytest.raises(SalesforceExpiredSession) as info:
        sf.query("SELECT Id FROM Lead LIMIT 1")
    assert info.value.status == 401
    assert info.value.content[0]["errorCode"] == "INVALID_SESSION_ID"


def test_deleted_and_updated_windows(sf: Salesforce) -> None:
    start = datetime(2000, 1, 1, tzinfo=UTC)
    end = datetime(2999, 1, 1, tzinfo=UTC)
    lead = sf.Lead.create({"LastName": "Window", "Company": "W"})["id"]
    assert lead in sf.Lead.updated(start, end)["ids"]
    sf.Lead.delete(lead)
    deleted = sf.Lead.deleted(start, end)["deletedRecords"]
    assert [d["id"] for d in deleted] == [lead]
    assert lead not in sf.Lead.updated(start, end)["ids"]


def test_allocation_not_enforced_when_rate_limits_off(
    sf: Salesforce, sfenv: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sfenv.salesforce.api, "daily_max", 2)
    sfenv.config.rate_limits = False
    for _ in range(4):
        sf.query("SELECT COUNT() FROM Lead")
    assert sf.api_usage["api-usage"].used == 4
    assert sf.api_usage["api-usage"].total == 2


def test_unknown_rest_path_is_salesforce_404(sf: Salesforce) -> None:
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.restful("no/such/resource")
    assert info.value.content[0]["errorCode"] == "NOT_FOUND"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.get("00Q000000000000AAA")
    with pytest.raises(SalesforceResourceNotFound):
        sf.restful("sobjects/NoSuchObject/describe")
