"""Query fidelity: the unmodified simple_salesforce client against the sandbox's query API."""

# ruff: noqa: F811
from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.sandbox.salesforce_env import Env, sf, sf_server, sfenv  # noqa: F401


def add_leads(sfenv: Env, n: int, **extra: Any) -> list[str]:
    store = sfenv.salesforce
    return [
        store.insert(
            "Lead",
            {
                "LastName": f"Query{i:05d}",
                "Company": "QCo",
                "Email": f"q{i}@qco.example",
                "Lead_Score__c": i,
                **extra,
            },
            validate=False,
        )
        for i in range(n)
    ]


def test_query_all_iter_pages_across_cursors(sf: Salesforce, sfenv: Env) -> None:
    ids = add_leads(sfenv, 4500)
    first = sf.query("SELECT Id FROM Lead WHERE Company = 'QCo'")
    assert first["totalSize"] == 4500 and first["done"] is False
    assert len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-2000")
    seen = [r["Id"] for r in sf.query_all_iter("SELECT Id FROM Lead WHERE Company = 'QCo'")]
    assert seen == ids
    assert all(len(i) == 18 and i.startswith("00Q") for i in seen)


def test_batch_size_header(sf: Salesforce, sfenv: Env) -> None:
    add_leads(sfenv, 450)
    sf.headers["Sforce-Query-Options"] = "batchSize=200"
    page = sf.query("SELECT Id FROM Lead WHERE Company = 'QCo'")
    assert len(page["records"]) == 200 and page["nextRecordsUrl"].endswith("-200")
    second = sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)
    assert len(second["records"]) == 200 and not second["done"]
    third = sf.query_more(second["nextRecordsUrl"], identifier_is_url=True)
    assert len(third["records"]) == 50 and third["done"] and "nextRecordsUrl" not in third


def test_parent_fields_are_nested_objects(sf: Salesforce, sfenv: Env) -> None:
    store = sfenv.salesforce
    acct = sf.Account.create({"Name": "Nested Inc", "Industry": "Banking"})["id"]
    sf.Contact.create({"LastName": "Child", "AccountId": acct})
    sf.Contact.create({"LastName": "Orphan", "Title": "Nested"})
    rows = sf.query_all(
        "SELECT LastName, Account.Name, Account.Industry, Owner.Name FROM Contact "
        "WHERE LastName IN ('Child', 'Orphan') ORDER BY LastName"
    )["records"]
    assert rows[0]["Account"]["Name"] == "Nested Inc"
    assert rows[0]["Account"]["Industry"] == "Banking"
    assert rows[0]["Account"]["attributes"]["type"] == "Account"
    assert rows[0]["Account"]["attributes"]["url"].endswith(acct)
    assert rows[1]["Account"] is None
    assert rows[1]["Owner"]["Name"] == store.get("User", store.api_user_id)["Name"]


def test_where_order_limit_offset_count(sf: Salesforce, sfenv: Env) -> None:
    add_leads(sfenv, 30)
    base = "FROM Lead WHERE Company = 'QCo' AND (Lead_Score__c < 5 OR Lead_Score__c >= 28)"
    rows = sf.query(f"SELECT Lead_Score__c {base} ORDER BY Lead_Score__c DESC")["records"]
    assert [r["Lead_Score__c"] for r in rows] == [29, 28, 4, 3, 2, 1, 0]
    rows = sf.query(f"SELECT Lead_Score__c {base} ORDER BY Lead_Score__c LIMIT 2 OFFSET 3")
    assert [r["Lead_Score__c"] for r in rows["records"]] == [3, 4]
    count = sf.query(f"SELECT COUNT() {base}")
    assert count["totalSize"] == 7 and count["records"] == []
    like = sf.query("SELECT Id FROM Lead WHERE LastName LIKE 'query0001%'")
    assert like["totalSize"] == 10
    not_in = sf.query(
        "SELECT COUNT() FROM Lead WHERE Company = 'QCo' AND "
        "LastName NOT IN ('Query00000', 'Query00001')"
    )
    assert not_in["totalSize"] == 28


def test_datetime_wire_format_and_incremental_query(sf: Salesforce, sfenv: Env) -> None:
    lead = sf.Lead.create({"LastName": "Inc", "Company": "Incr"})["id"]
    record = sf.Lead.get(lead)
    stamp = record["SystemModstamp"]
    assert len(stamp) == 28 and stamp[10] == "T" and stamp.endswith(".000+0000")
    literal = stamp[:19] + "Z"
    since = sf.query(
        f"SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp >= {literal} "
        "ORDER BY SystemModstamp ASC"
    )
    assert lead in [r["Id"] for r in since["records"]]
    shifted = stamp[:11] + "23:59:59+23:59"  # far east offset: earlier than the stamp's day
    assert (
        sf.query(f"SELECT COUNT() FROM Lead WHERE Id = '{lead}' AND SystemModstamp > {shifted}")[
            "totalSize"
        ]
        == 1
    )
    later = sf.query("SELECT COUNT() FROM Lead WHERE SystemModstamp > 2999-01-01T00:00:00Z")
    assert later["totalSize"] == 0


def test_query_all_shows_deleted(sf: Salesforce, sfenv: Env) -> None:
    lead = sf.Lead.create({"LastName": "Gone", "Company": "Bin"})["id"]
    assert sf.Lead.delete(lead) == 204
    soql = f"SELECT Id, IsDeleted FROM Lead WHERE Id = '{lead}'"
    assert sf.query(soql)["totalSize"] == 0
    rows = sf.query_all(soql, include_deleted=True)["records"]
    assert rows[0]["IsDeleted"] is True


@pytest.mark.parametrize(
    ("soql", "code", "text"),
    [
        (
            "SELECT Id, Foo__c FROM Lead",
            "INVALID_FIELD",
            "No such column 'Foo__c' on entity 'Lead'",
        ),
        ("SELECT Id FORM Lead", "MALFORMED_QUERY", "unexpected token: 'FORM'"),
        ("SELECT Id FROM Leads", "INVALID_TYPE", "sObject type 'Leads' is not supported"),
        (
            "SELECT Id FROM Lead WHERE SystemModstamp > '2024-01-01T00:00:00Z'",
            "INVALID_FIELD",
            "should not be enclosed in quotes",
        ),
    ],
)
def test_bad_soql_raises_malformed_request(sf: Salesforce, soql: str, code: str, text: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.query(soql)
    assert info.value.status == 400
    assert info.value.content[0]["errorCode"] == code
    assert text in info.value.content[0]["message"]


def test_contact_roles_subquery_on_seeded_opportunities(sf: Salesforce) -> None:
    rows = sf.query_all(
        "SELECT Id, StageName, (SELECT ContactId, Role, IsPrimary FROM OpportunityContactRoles) "
        "FROM Opportunity"
    )["records"]
    with_roles = [r for r in rows if r["OpportunityContactRoles"] is not None]
    assert with_roles, "the seeded world has opportunities with contact roles"
    total = sum(r["OpportunityContactRoles"]["totalSize"] for r in with_roles)
    assert total == sf.query("SELECT COUNT() FROM OpportunityContactRole")["totalSize"]
    role = with_roles[0]["OpportunityContactRoles"]["records"][0]
    assert role["ContactId"].startswith("003") and isinstance(role["IsPrimary"], bool)
    rels = {c["relationshipName"] for c in sf.Opportunity.describe()["childRelationships"]}
    assert "OpportunityContactRoles" in rels
