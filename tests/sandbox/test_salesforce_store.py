"""Store-level tests: ids, persistence round trip, recycle bin, derived fields."""

from __future__ import annotations

import json

from crm_bridge.sandbox.salesforce.ids import make_id, to18
from crm_bridge.sandbox.salesforce.soql_eval import compile_query
from crm_bridge.sandbox.salesforce.store import SalesforceStore
from crm_bridge.sandbox.salesforce.tooling import create_custom_field


def test_eighteen_character_ids() -> None:
    # per 5-char chunk, bit i is set when char i is upper case; 0-31 maps to A-Z0-5
    assert to18("001A000001Bcdef") == "001A000001BcdefIAB"  # bits 8, 0, 1
    assert to18("0015000000xyZ1A") == "0015000000xyZ1AAAU"  # bits 0, 0, 4+16
    first, second = make_id("00Q", 1), make_id("00Q", 2)
    assert first.startswith("00Q") and len(first) == 18 and first != second


def test_json_round_trip_keeps_records_fields_and_counter() -> None:
    store = SalesforceStore()
    account = store.insert("Account", {"Name": "Persist"})
    lead = store.insert(
        "Lead", {"LastName": "P", "Company": "Persist", "Status": "Working - Contacted"}
    )
    create_custom_field(
        store,
        {
            "FullName": "Lead.CRMB_Tag__c",
            "Metadata": {"label": "Tag", "type": "Text", "length": 20},
        },
    )
    store.update("Lead", lead, {"CRMB_Tag__c": "x"})
    store.delete("Account", account)
    data = json.loads(json.dumps(store.to_json()))

    loaded = SalesforceStore()
    loaded.from_json(data)
    assert loaded.get("Lead", lead)["CRMB_Tag__c"] == "x"
    assert loaded.schemas["Lead"].fields["CRMB_Tag__c"].length == 20
    assert loaded.find(account) is not None and loaded.find(account)[1]["IsDeleted"] is True  # type: ignore[index]
    new_id = loaded.insert("Lead", {"LastName": "Q", "Company": "C"})
    assert new_id not in (lead, account)
    q = compile_query("SELECT Id FROM Lead WHERE CRMB_Tag__c = 'x'", loaded)
    assert [r["Id"] for r in q.run(loaded.records("Lead"))] == [lead]
    assert loaded.custom_fields[0]["DeveloperName"] == "CRMB_Tag"


def test_task_sets_last_activity_date_on_who_and_what() -> None:
    store = SalesforceStore()
    account = store.insert("Account", {"Name": "Act"})
    contact = store.insert("Contact", {"LastName": "C", "AccountId": account})
    store.insert(
        "Task",
        {
            "WhoId": contact,
            "WhatId": account,
            "Subject": "Call",
            "ActivityDate": "2024-05-02",
            "Status": "Completed",
        },
    )
    store.insert("Task", {"WhoId": contact, "Subject": "Older", "ActivityDate": "2024-04-01"})
    assert store.get("Contact", contact)["LastActivityDate"] == "2024-05-02"
    assert store.get("Account", account)["LastActivityDate"] == "2024-05-02"
    q = compile_query("SELECT Subject, Who.Name, What.Name FROM Task ORDER BY Subject", store)
    rows = [q.project(r) for r in q.run(store.records("Task"))]
    assert rows[0]["Who"]["Name"] == "C" and rows[0]["What"]["attributes"]["type"] == "Account"
    assert rows[1]["What"] is None
