"""Seeding: converted leads, stage history, contact roles and activity dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from crm_bridge.sandbox.salesforce.seed_records import (
    AccountSeed,
    OpportunitySeed,
    PersonSeed,
    UserSeed,
    seed_records,
)
from crm_bridge.sandbox.salesforce.soql_eval import compile_query
from crm_bridge.sandbox.salesforce.store import SalesforceStore

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
T0 = NOW - timedelta(days=90)


def seeded() -> SalesforceStore:
    store = SalesforceStore(now=lambda: NOW)
    seed_records(
        store,
        NOW,
        users=[UserSeed("u1", "Sam", "Seller", "sam@corp.example", department="Sales")],
        accounts=[
            AccountSeed(
                "c1",
                "Globex",
                T0,
                website="globex.example",
                industry="Aerospace",
                employees=1200,
                owner_key="u1",
            )
        ],
        people=[
            PersonSeed(
                "p1",
                "Open",
                T0,
                as_lead=True,
                email="open@globex.example",
                lead_status="Nurture",
                company_name="Globex",
                lead_score=55,
                last_activity_at=NOW - timedelta(days=3),
                owner_key="u1",
            ),
            PersonSeed(
                "p2",
                "Conv",
                T0,
                as_lead=True,
                first_name="Cy",
                account_key="c1",
                company_name="Globex",
                converted_at=T0 + timedelta(days=10),
                title="CFO",
            ),
            PersonSeed(
                "p3",
                "Champ",
                T0,
                as_lead=False,
                account_key="c1",
                title="VP IT",
                last_activity_at=NOW - timedelta(days=1),
            ),
        ],
        opportunities=[
            OpportunitySeed(
                "o1",
                "Globex - Platform",
                "Negotiation",
                date(2024, 7, 1),
                T0 + timedelta(days=11),
                account_key="c1",
                amount=90000.0,
                owner_key="u1",
                stage_history=(
                    ("Discovery", T0 + timedelta(days=11)),
                    ("Negotiation", T0 + timedelta(days=40)),
                ),
                roles=(("p2", "Economic Buyer", True), ("p3", "Champion", False)),
            )
        ],
    )
    return store


def rows(store: SalesforceStore, soql: str) -> list[dict[str, object]]:
    q = compile_query(soql, store)
    return [q.project(r) for r in q.run(store.records(q.sobject))]


def test_converted_lead_links_contact_account_and_opportunity() -> None:
    store = seeded()
    lead = rows(
        store,
        "SELECT IsConverted, Status, ConvertedDate, ConvertedContact.Name, "
        "ConvertedAccount.Name, ConvertedOpportunity.Name FROM Lead WHERE IsConverted = true",
    )
    assert len(lead) == 1
    assert lead[0]["Status"] == "Closed - Converted" and lead[0]["ConvertedDate"] == "2024-03-13"
    assert lead[0]["ConvertedContact"] == {
        "attributes": lead[0]["ConvertedContact"]["attributes"],  # type: ignore[index]
        "Name": "Cy Conv",
    }
    assert lead[0]["ConvertedAccount"]["Name"] == "Globex"  # type: ignore[index]
    assert lead[0]["ConvertedOpportunity"]["Name"] == "Globex - Platform"  # type: ignore[index]


def test_opportunity_stage_history_roles_and_activity() -> None:
    store = seeded()
    opp = rows(
        store,
        "SELECT StageName, LastStageChangeDate, CreatedDate, LastActivityDate, "
        "Owner.Name FROM Opportunity",
    )[0]
    assert opp["StageName"] == "Negotiation"
    assert opp["LastStageChangeDate"] == "2024-04-12T12:00:00.000+0000"
    assert opp["CreatedDate"] == "2024-03-14T12:00:00.000+0000"
    assert opp["Owner"]["Name"] == "Sam Seller"  # type: ignore[index]
    roles = rows(
        store,
        "SELECT Role, IsPrimary, Contact.Title FROM OpportunityContactRole ORDER BY IsPrimary DESC",
    )
    assert [(r["Role"], r["IsPrimary"]) for r in roles] == [
        ("Economic Buyer", True),
        ("Champion", False),
    ]
    assert roles[1]["Contact"]["Title"] == "VP IT"  # type: ignore[index]
    champ = rows(store, "SELECT LastActivityDate FROM Contact WHERE LastName = 'Champ'")[0]
    assert champ["LastActivityDate"] == "2024-05-31"
    assert len(list(store.records("Task"))) == 2


def test_world_values_extend_picklists_and_stamps_are_in_the_past() -> None:
    store = seeded()
    assert "Nurture" in store.schemas["Lead"].fields["Status"].picklist
    assert "Champion" in store.schemas["OpportunityContactRole"].fields["Role"].picklist
    stamps = [r["SystemModstamp"] for t in store.tables.values() for r in t.values()]
    assert max(stamps) <= "2024-06-01T12:00:00.000+0000"
    open_lead = rows(
        store,
        "SELECT SystemModstamp, CreatedDate, LastActivityDate FROM Lead WHERE Status = 'Nurture'",
    )[0]
    assert open_lead["SystemModstamp"] == "2024-05-29T12:00:00.000+0000"
    assert open_lead["LastActivityDate"] == "2024-05-29"


def test_seed_from_world() -> None:
    from crm_bridge.sandbox import world as w

    def fields(last: str, email: str | None, title: str | None) -> w.PersonFields:
        return w.PersonFields("Ann", last, email, title, "Finance", None, "Initech", 72)

    def person(pid: str, sf: w.SalesforcePerson | None) -> w.Person:
        return w.Person(
            pid,
            "Ann",
            pid,
            f"{pid}@initech.example",
            "CFO",
            "Finance",
            None,
            "c1",
            "Webinar",
            "ORGANIC_SEARCH",
            72,
            T0,
            NOW - timedelta(days=2),
            None,
            None,
            "u1",
            sf,
            None,
        )

    world = w.World(
        seed=1,
        now=NOW,
        users=(w.User("u1", "Rita", "Rep", "rita@corp.example", "sales", "AE", "Europe/Berlin"),),
        companies=(
            w.Company(
                "c1",
                "Initech",
                "initech.example",
                "Software",
                300,
                5_000_000,
                "US",
                "TX",
                "Austin",
                "+1 555",
                "u1",
                T0,
                True,
                True,
            ),
        ),
        people=(
            person(
                "p1",
                w.SalesforcePerson(
                    "lead",
                    "Closed - Converted",
                    T0 + timedelta(days=5),
                    fields("Lead", "ANN@initech.example", "CFO"),
                    NOW - timedelta(days=1),
                ),
            ),
            person(
                "p2", w.SalesforcePerson("lead", "Nurture", None, fields("Nurt", None, "-"), NOW)
            ),
            person("p3", None),
        ),
        opportunities=(
            w.Opportunity(
                "o1",
                "Initech - Renewal",
                "c1",
                "u1",
                40_000,
                4,
                date(2024, 8, 1),
                T0,
                ((0, T0), (4, T0 + timedelta(days=20))),
                NOW - timedelta(days=4),
                (w.ContactRole("p1", "Economic Buyer", True),),
                "Webinar",
                "New Business",
                True,
                True,
            ),
        ),
    )
    store = SalesforceStore(now=lambda: NOW)
    store.seed(world)
    leads = rows(
        store,
        "SELECT Email, Status, IsConverted, ConvertedOpportunityId, Rating, "
        "Lead_Score__c, Owner.Name FROM Lead ORDER BY Email NULLS LAST",
    )
    assert [r["Status"] for r in leads] == ["Closed - Converted", "Nurture"]
    assert leads[0]["Email"] == "ANN@initech.example" and leads[0]["IsConverted"] is True
    assert leads[0]["ConvertedOpportunityId"] is not None and leads[0]["Rating"] == "Warm"
    assert leads[1]["Owner"]["Name"] == "Rita Rep"  # type: ignore[index]
    opp = rows(
        store, "SELECT StageName, Probability, LastStageChangeDate, Account.Name FROM Opportunity"
    )[0]
    assert opp["StageName"] == "Negotiation/Review" and opp["Probability"] == 90.0
    assert opp["LastStageChangeDate"] == "2024-03-23T12:00:00.000+0000"
    assert opp["Account"]["Name"] == "Initech"  # type: ignore[index]
    roles = rows(store, "SELECT Role, Contact.Email FROM OpportunityContactRole")
    assert roles[0]["Contact"]["Email"] == "ANN@initech.example"  # type: ignore[index]
    assert len(list(store.records("Contact"))) == 1


def test_custom_fields_tasks_teams_and_users_from_world() -> None:
    """First sales touch (custom field and a Task), partner hand-over, loss reason and the
    user's department; a User has no IsDeleted and cannot be deleted."""
    from dataclasses import replace

    import pytest

    from crm_bridge.sandbox import world as w
    from crm_bridge.sandbox.salesforce.errors import SfApiError

    world = w.generate_world(150, 7, NOW)
    partner = next(p for p in world.people if p.partner and p.partner.status and p.salesforce)
    touched = next(
        p
        for p in world.people
        if p.first_sales_touch_at and p.salesforce and p.salesforce.kind == "lead"
        and p.salesforce.converted_at is None and p.salesforce.fields.email
        and p.first_sales_touch_at.date() != (p.last_activity_at or NOW).date()
    )  # fmt: skip
    lost = next(o for o in world.opportunities if o.loss_reason and o.in_salesforce)
    store = SalesforceStore(now=lambda: NOW)
    store.seed(replace(world, opportunities=(lost,)))
    email = (partner.salesforce.fields.email if partner.salesforce else "") or ""
    (lead,) = rows(
        store,
        "SELECT Partner__c, Partner_Handoff_Date__c, Partner_Status__c, Partner_Status_Date__c, "
        f"Owner.Department FROM Lead WHERE Email = '{email}'",
    )
    assert partner.partner is not None and lead["Partner__c"] == partner.partner.partner
    assert lead["Partner_Status__c"] == partner.partner.status
    assert lead["Partner_Handoff_Date__c"] == partner.partner.handed_at.strftime(
        "%Y-%m-%dT%H:%M:%S.000+0000"
    )
    assert lead["Owner"]["Department"] == "Partner desk"  # type: ignore[index]
    email = (touched.salesforce.fields.email if touched.salesforce else "") or ""
    (lead,) = rows(store, f"SELECT Id, First_Sales_Activity__c FROM Lead WHERE Email = '{email}'")
    assert touched.first_sales_touch_at is not None
    assert lead["First_Sales_Activity__c"] == touched.first_sales_touch_at.strftime(
        "%Y-%m-%dT%H:%M:%S.000+0000"
    )
    days = sorted(
        r["ActivityDate"] for r in rows(store, f"SELECT ActivityDate FROM Task WHERE WhoId = '{lead['Id']}'")
    )  # fmt: skip
    assert days[0] == touched.first_sales_touch_at.date().isoformat() and len(days) == 2
    reason = w.loss_reason(lost.loss_reason)
    (opp,) = rows(store, "SELECT StageName, Loss_Reason__c FROM Opportunity")
    assert reason is not None and opp == {**opp, "Loss_Reason__c": reason.salesforce}
    departments = {r["Department"] for r in rows(store, "SELECT Department FROM User")}
    assert {"SDR East", "SDR West", "AE Enterprise", "Partner desk"} <= departments
    assert "IsDeleted" not in store.schemas["User"].fields
    user = next(iter(store.records("User")))
    with pytest.raises(SfApiError, match="cannot be deleted"):
        store.delete("User", user["Id"])
