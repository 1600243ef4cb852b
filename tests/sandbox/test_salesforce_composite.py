"""sObject Collections through ``Salesforce.restful('composite/sobjects', …)``."""

# ruff: noqa: F811
from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.sandbox.salesforce_env import Env, sf, sf_server, sfenv  # noqa: F401


def leads(n: int, prefix: str = "Coll") -> list[dict[str, Any]]:
    return [
        {"attributes": {"type": "Lead"}, "LastName": f"{prefix}{i}", "Company": "Coll Inc"}
        for i in range(n)
    ]


def count(sf: Salesforce, where: str) -> int:
    return int(sf.query(f"SELECT COUNT() FROM Lead WHERE {where}")["totalSize"])


def test_create_partial_failure_keeps_input_order(sf: Salesforce) -> None:
    records = leads(3)
    records[1] = {"attributes": {"type": "Lead"}, "Company": "No Last Name"}
    results = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": records}
    )
    assert [r["success"] for r in results] == [True, False, True]
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert results[1]["errors"][0]["fields"] == ["LastName"]
    assert results[0]["id"].startswith("00Q") and len(results[0]["id"]) == 18
    assert count(sf, "Company = 'Coll Inc'") == 2


def test_all_or_none_rolls_back(sf: Salesforce) -> None:
    records = [
        *leads(2),
        {
            "attributes": {"type": "Lead"},
            "LastName": "Bad",
            "Company": "Coll Inc",
            "Status": "Nope",
        },
    ]
    results = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": True, "records": records}
    )
    assert [r["success"] for r in results] == [False, False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[2]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert count(sf, "Company = 'Coll Inc'") == 0


def test_update_collection_and_rollback_restores_values(sf: Salesforce) -> None:
    created = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": True, "records": leads(2)}
    )
    ids = [r["id"] for r in created]
    ok = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Lead"}, "id": ids[0], "Title": "CTO"},
                {"attributes": {"type": "Lead"}, "id": ids[1], "NumberOfEmployees": "lots"},
            ],
        },
    )
    assert ok[0] == {"id": ids[0], "success": True, "errors": []}
    assert ok[1]["id"] == ids[1] and ok[1]["errors"][0]["statusCode"] == "JSON_PARSER_ERROR"
    rolled = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "allOrNone": True,
            "records": [
                {"attributes": {"type": "Lead"}, "id": ids[0], "Title": "CEO"},
                {"attributes": {"type": "Lead"}, "id": ids[1], "Bogus__c": 1},
            ],
        },
    )
    assert rolled[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert rolled[1]["errors"][0]["statusCode"] == "INVALID_FIELD"
    assert sf.Lead.get(ids[0])["Title"] == "CTO"


def test_more_than_200_records_rejected(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.restful(
            "composite/sobjects", method="POST", json={"allOrNone": False, "records": leads(201)}
        )
    assert info.value.status == 400
    assert info.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert count(sf, "Company = 'Coll Inc'") == 0


def test_delete_and_retrieve_collections(sf: Salesforce) -> None:
    ids = [
        r["id"]
        for r in sf.restful(
            "composite/sobjects", method="POST", json={"allOrNone": False, "records": leads(3)}
        )
    ]
    got = sf.restful(
        "composite/sobjects/Lead",
        method="GET",
        params={"ids": ",".join(ids), "fields": "Id,LastName"},
    )
    assert [g["LastName"] for g in got] == ["Coll0", "Coll1", "Coll2"]
    deleted = sf.restful(
        "composite/sobjects",
        method="DELETE",
        params={"ids": ",".join([ids[0], "00Q000000000000AAA"]), "allOrNone": "false"},
    )
    assert deleted[0]["success"] is True
    assert deleted[1]["success"] is False
    after = sf.restful(
        "composite/sobjects/Lead", method="GET", params={"ids": ",".join(ids), "fields": "LastName"}
    )
    assert after[0] is None and after[1]["LastName"] == "Coll1"
    assert (
        sf.query_all(f"SELECT IsDeleted FROM Lead WHERE Id = '{ids[0]}'", include_deleted=True)[
            "records"
        ][0]["IsDeleted"]
        is True
    )


def test_injected_record_failure_fails_only_that_record(sf: Salesforce, sfenv: Env) -> None:
    ids = [
        r["id"]
        for r in sf.restful(
            "composite/sobjects", method="POST", json={"allOrNone": False, "records": leads(3)}
        )
    ]
    sfenv.faults.add(
        "record_failure",
        crm="salesforce",
        record_ids=[ids[1]],
        code="UNABLE_TO_LOCK_ROW",
        message="unable to obtain exclusive access to this record",
    )
    body = {
        "allOrNone": False,
        "records": [{"attributes": {"type": "Lead"}, "id": i, "Title": "Locked?"} for i in ids],
    }
    results = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert [r["success"] for r in results] == [True, False, True]
    assert results[1]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert sf.Lead.get(ids[1])["Title"] is None
    assert sf.Lead.get(ids[2])["Title"] == "Locked?"
    body["allOrNone"] = True
    body["records"] = [{"attributes": {"type": "Lead"}, "id": i, "Title": "All"} for i in ids]
    results = sf.restful("composite/sobjects", method="PATCH", json=body)
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert sf.Lead.get(ids[0])["Title"] == "Locked?"
