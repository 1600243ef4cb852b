"""Unit tests of the sandbox's SOQL parser and evaluator (no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm_bridge.sandbox.salesforce.soql_eval import compile_query
from crm_bridge.sandbox.salesforce.soql_parser import (
    BoolOp,
    Compare,
    Count,
    InList,
    Not,
    SoqlError,
    parse,
)
from crm_bridge.sandbox.salesforce.store import SalesforceStore


class Clock:
    """A settable clock for the store."""

    def __init__(self) -> None:
        self.t = datetime(2024, 1, 15, 10, 20, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t


@pytest.fixture
def store() -> SalesforceStore:
    s = SalesforceStore(now=Clock())
    acme = s.insert("Account", {"Name": "Acme", "Industry": "Technology"})
    s.insert(
        "Lead",
        {
            "FirstName": "Ann",
            "LastName": "Able",
            "Company": "Acme",
            "Email": "ann@acme.com",
            "Lead_Score__c": 80,
            "Title": "CFO",
        },
    )
    s.insert(
        "Lead",
        {
            "FirstName": "Bob",
            "LastName": "O'Brien",
            "Company": "Beta",
            "Lead_Score__c": 40,
            "Rating": "Hot",
        },
    )
    s.insert(
        "Lead",
        {
            "LastName": "Cid",
            "Company": "Gamma 100%",
            "Lead_Score__c": 60,
            "Status": "Working - Contacted",
        },
    )
    s.insert("Contact", {"LastName": "Dee", "AccountId": acme, "Email": "dee@acme.com"})
    s.insert("Contact", {"LastName": "Eve"})
    return s


def names(store: SalesforceStore, soql: str, field: str = "LastName") -> list[object]:
    q = compile_query(soql, store)
    return [q.project(r)[field] for r in q.run(store.records(q.sobject))]


def test_parse_structure() -> None:
    q = parse(
        "select Id, Account.Name, COUNT() from Lead where (A = 'x' or B in (1, 2)) "
        "and not C like 'a%' order by D desc nulls first, E limit 5 offset 2"
    )
    assert q.sobject == "Lead"
    assert isinstance(q.select[2], Count)
    assert q.select[1] == q.select[1] and q.select[1].parts == ("Account", "Name")  # type: ignore[union-attr]
    assert isinstance(q.where, BoolOp) and q.where.op == "AND"
    first, second = q.where.items
    assert isinstance(first, BoolOp) and first.op == "OR"
    assert isinstance(first.items[1], InList) and not first.items[1].negate
    assert isinstance(second, Not) and isinstance(second.item, Compare)
    assert q.order[0].descending and not q.order[0].nulls_last
    assert not q.order[1].descending and not q.order[1].nulls_last
    assert (q.limit, q.offset) == (5, 2)


def test_string_escapes_and_literals() -> None:
    q = parse(
        r"SELECT Id FROM Lead WHERE Name = 'O\'Brien \\ x' AND D >= 2024-01-01T00:00:00+05:30"
        " AND E = 2024-02-03 AND F = true AND G != null AND H > -1.5"
    )
    assert isinstance(q.where, BoolOp)
    values = [c.value for c in q.where.items if isinstance(c, Compare)]
    assert [v.kind for v in values] == ["string", "datetime", "date", "boolean", "null", "number"]
    assert values[0].value == "O'Brien \\ x"
    assert values[5].value == -1.5


@pytest.mark.parametrize(
    "soql",
    [
        "SELECT Id FORM Lead",
        "SELECT FROM Lead",
        "SELECT Id FROM Lead WHERE",
        "SELECT Id FROM Lead LIMIT x",
        "SELECT Id FROM Lead WHERE Name = 'unterminated",
        "SELECT Id FROM Lead ORDER Name",
        "SELECT Id FROM Lead WHERE Name = 'a\\q'",
        "SELECT Id, COUNT() FROM Lead",
    ],
)
def test_malformed(store: SalesforceStore, soql: str) -> None:
    with pytest.raises(SoqlError) as info:
        compile_query(soql, store)
    assert info.value.code == "MALFORMED_QUERY"
    assert info.value.status == 400


def test_error_position_is_reported() -> None:
    with pytest.raises(SoqlError) as info:
        parse("SELECT Id FORM Lead")
    assert "ERROR at Row:1:Column:11" in info.value.message
    assert info.value.message.endswith("unexpected token: 'FORM'")


def test_invalid_field_type_and_relationship(store: SalesforceStore) -> None:
    with pytest.raises(SoqlError) as info:
        compile_query("SELECT Id, Foo__c FROM Lead", store)
    assert info.value.code == "INVALID_FIELD"
    assert "No such column 'Foo__c' on entity 'Lead'" in info.value.message
    with pytest.raises(SoqlError) as info:
        compile_query("SELECT Id FROM Leed", store)
    assert info.value.code == "INVALID_TYPE"
    with pytest.raises(SoqlError) as info:
        compile_query("SELECT Foo.Name FROM Contact", store)
    assert info.value.code == "INVALID_FIELD" and "relationship 'Foo'" in info.value.message


@pytest.mark.parametrize(
    "where",
    [
        "SystemModstamp > '2024-01-01T00:00:00Z'",
        "Lead_Score__c > '10'",
        "IsConverted = 'true'",
        "SystemModstamp > 2024-01-01",
        "Email = 5",
    ],
)
def test_type_mismatch_is_invalid_field(store: SalesforceStore, where: str) -> None:
    with pytest.raises(SoqlError) as info:
        compile_query(f"SELECT Id FROM Lead WHERE {where}", store)
    assert info.value.code == "INVALID_FIELD"
    assert "must be of type" in info.value.message


def test_where_operators(store: SalesforceStore) -> None:
    base = "SELECT LastName FROM Lead WHERE "
    assert names(store, base + "Lead_Score__c >= 60 ORDER BY LastName") == ["Able", "Cid"]
    assert names(store, base + "Lead_Score__c < 60") == ["O'Brien"]
    assert names(store, base + "Email = 'ANN@acme.com'") == ["Able"]  # case-insensitive
    assert names(store, base + "Email != null") == ["Able"]
    assert names(store, base + "Email = null ORDER BY LastName") == ["Cid", "O'Brien"]
    assert names(store, base + "Rating != 'Hot' ORDER BY LastName") == ["Able", "Cid"]
    assert names(store, base + "LastName IN ('able', 'Cid') ORDER BY LastName") == ["Able", "Cid"]
    assert names(store, base + "LastName NOT IN ('Able')  ORDER BY LastName") == ["Cid", "O'Brien"]
    assert names(store, base + "LastName LIKE 'o\\'b%'") == ["O'Brien"]
    assert names(store, base + "Company LIKE '%100\\%'") == ["Cid"]
    assert names(store, base + "Company LIKE 'B_ta'") == ["O'Brien"]
    assert names(store, base + "NOT (Lead_Score__c > 50) OR Title = 'CFO' ORDER BY LastName") == [
        "Able",
        "O'Brien",
    ]
    assert names(
        store,
        base + "(Lead_Score__c > 50 AND Status = 'Working - Contacted') "
        "OR Rating = 'Hot' ORDER BY LastName",
    ) == ["Cid", "O'Brien"]
    assert names(store, base + "IsConverted = false AND IsDeleted = false LIMIT 1") == ["Able"]


def test_datetime_literals_with_offsets(store: SalesforceStore) -> None:
    # user 10:20:31, account :32, leads :33 :34 :35 UTC; 15:50:34+05:30 is 10:20:34Z
    late = names(
        store, "SELECT LastName FROM Lead WHERE SystemModstamp >= 2024-01-15T15:50:34+05:30"
    )
    assert late == ["O'Brien", "Cid"]
    assert names(store, "SELECT LastName FROM Lead WHERE CreatedDate > 2024-01-15T10:20:34Z") == [
        "Cid"
    ]
    assert names(
        store, "SELECT LastName FROM Lead WHERE CreatedDate < 2024-01-15T10:20:34.000Z"
    ) == ["Able"]


def test_order_limit_offset_nulls(store: SalesforceStore) -> None:
    q = "SELECT LastName FROM Lead ORDER BY "
    assert names(store, q + "Lead_Score__c DESC") == ["Able", "Cid", "O'Brien"]
    assert names(store, q + "Email NULLS LAST, LastName DESC") == ["Able", "O'Brien", "Cid"]
    assert names(store, q + "Email DESC NULLS FIRST, LastName") == ["Cid", "O'Brien", "Able"]
    assert names(store, q + "Email, LastName") == ["Cid", "O'Brien", "Able"]  # ASC: nulls first
    assert names(store, q + "LastName LIMIT 2 OFFSET 1") == ["Cid", "O'Brien"]


def test_parent_fields_nested_or_null(store: SalesforceStore) -> None:
    q = compile_query(
        "SELECT LastName, Account.Name, Account.Owner.Name, Owner.Name FROM Contact "
        "ORDER BY LastName",
        store,
    )
    rows = [q.project(r) for r in q.run(store.records("Contact"))]
    assert rows[0]["Account"]["Name"] == "Acme"
    assert rows[0]["Account"]["attributes"]["type"] == "Account"
    assert rows[0]["Account"]["Owner"]["Name"] == "Integration User"
    assert rows[1]["Account"] is None
    assert rows[1]["Owner"]["Name"] == "Integration User"
    filtered = names(store, "SELECT LastName FROM Contact WHERE Account.Name = 'acme'")
    assert filtered == ["Dee"]


def test_count_and_deleted(store: SalesforceStore) -> None:
    q = compile_query("SELECT COUNT() FROM Lead WHERE Lead_Score__c > 0", store)
    assert q.count_only and len(q.run(store.records("Lead"))) == 3
    lead = next(iter(store.records("Lead")))
    store.delete("Lead", lead["Id"])
    assert len(q.run(store.records("Lead"))) == 2
    assert len(q.run(store.records("Lead", include_deleted=True))) == 3


def test_child_relationship_subquery(store: SalesforceStore) -> None:
    acme = next(r["Id"] for r in store.records("Account"))
    q = compile_query(
        "SELECT Name, (SELECT LastName FROM Contacts WHERE LastName != 'x' ORDER BY LastName DESC),"
        " (SELECT Name FROM Opportunities) FROM Account",
        store,
    )
    row = q.project(store.get("Account", acme))
    assert [c["LastName"] for c in row["Contacts"]["records"]] == ["Dee"]
    assert row["Contacts"]["totalSize"] == 1 and row["Contacts"]["done"] is True
    assert row["Opportunities"] is None
    with pytest.raises(SoqlError) as info:
        compile_query("SELECT Id, (SELECT Id FROM Nothing) FROM Account", store)
    assert info.value.code == "INVALID_TYPE"
    with pytest.raises(SoqlError) as info:
        compile_query(
            "SELECT Id, (SELECT Id, (SELECT Id FROM Tasks) FROM Contacts) FROM Account", store
        )
    assert info.value.code == "MALFORMED_QUERY"


def test_relative_date_literals(store: SalesforceStore) -> None:
    # clock: leads created 2024-01-15T10:20:33..35Z; "now" two days later
    now = datetime(2024, 1, 17, 8, tzinfo=UTC)

    def count(where: str) -> int:
        q = compile_query(f"SELECT Id FROM Lead WHERE {where}", store, now=now)
        return len(q.run(store.records("Lead")))

    assert count("CreatedDate = LAST_N_DAYS:2") == 3
    assert count("CreatedDate = LAST_N_DAYS:1") == 0
    assert count("CreatedDate < LAST_N_DAYS:1") == 3
    assert count("CreatedDate = N_DAYS_AGO:2") == 3
    assert count("CreatedDate = today") == 0
    assert count("CreatedDate > YESTERDAY") == 0
    assert count("CreatedDate != TODAY") == 3
    with pytest.raises(SoqlError) as info:
        compile_query("SELECT Id FROM Lead WHERE Email = TODAY", store)
    assert info.value.code == "INVALID_FIELD"
