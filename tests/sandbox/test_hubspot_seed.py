"""Seeding from a World: owners and their teams, companies, contacts with lifecycle dates, first
sales engagement and partner hand-over, deals with stage dates, loss reason and labelled roles."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hubspot import HubSpot
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest

from crm_bridge.sandbox.hubspot.store import HubSpotStore
from crm_bridge.sandbox.world import (
    Company,
    ContactRole,
    HubSpotPerson,
    Opportunity,
    PartnerHandover,
    Person,
    PersonFields,
    User,
    World,
)
from tests.sandbox import hubspot_env
from tests.sandbox.hubspot_env import Env

hs_env, hs = hubspot_env.hs_env, hubspot_env.hs

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def _person(
    pid: str, email: str, stage_history: tuple[tuple[str, datetime], ...], dup: str | None = None
) -> Person:
    fields = PersonFields("Ann", "Lee", email, "VP Finance", "Finance", None, "Acme", 70)
    hs_copy = HubSpotPerson(
        stage_history[-1][0], "OPEN", stage_history, fields, NOW - timedelta(days=1)
    )
    return Person(pid, "Ann", "Lee", email.lower(), "VP Finance", "Finance", None, "c1", "Web", "ORGANIC_SEARCH", 70,
                  NOW - timedelta(days=90), NOW - timedelta(days=2), None, None, "u1", None, hs_copy, dup)  # fmt: skip


def _world() -> World:
    users = (User("u1", "Sam", "Rep", "sam@corp.example", "sales", "AE", "Europe/Berlin"),)
    companies = (Company("c1", "Acme", "acme.example", "Computer Software", 250, 5_000_000, "Germany", None, "Berlin", "+49 30 1", "u1", NOW - timedelta(days=400), True, True),)  # fmt: skip
    hist = (
        ("lead", NOW - timedelta(days=90)),
        ("marketingqualifiedlead", NOW - timedelta(days=30)),
    )
    people = (
        _person("p1", "Ann@Acme.example", hist),
        _person("p2", "bob@acme.example", hist[:1]),
        _person("p3", "ann@acme.example", hist[:1], dup="p1"),
    )
    opp = Opportunity("o1", "Acme expansion", "c1", "u1", 42_000, 4, date(2024, 7, 1), NOW - timedelta(days=60),
                      ((0, NOW - timedelta(days=60)), (2, NOW - timedelta(days=20)), (4, NOW - timedelta(days=5))),
                      NOW - timedelta(days=3), (ContactRole("p1", "Decision Maker", True), ContactRole("p2", "Technical Buyer", False)),
                      "Web", "New Business", True, True)  # fmt: skip
    return World(1, NOW, users, companies, people, (opp,))


def test_seeded_portal_reads_back_through_the_sdk(hs: HubSpot, hs_env: Env) -> None:
    hs_env.hubspot.seed(_world())
    owners = hs.crm.owners.owners_api.get_page().results
    assert [(o.email, o.teams[0].name) for o in owners] == [("sam@corp.example", "Sales")]
    ann = hs.crm.contacts.basic_api.get_by_id("ann@acme.example", id_property="email", properties=[
        "email", "lifecyclestage", "hs_v2_date_entered_lead", "hs_v2_date_entered_marketingqualifiedlead", "hubspot_owner_id"], associations=["companies"])  # fmt: skip
    assert ann.properties["email"] == "Ann@Acme.example"
    assert ann.properties["lifecyclestage"] == "marketingqualifiedlead"
    assert ann.properties["hs_v2_date_entered_marketingqualifiedlead"] == "2024-05-02T00:00:00.000Z"
    assert ann.properties["hubspot_owner_id"] == owners[0].id
    assert len(ann.associations["companies"].results) == 2  # default + primary
    deals = hs.crm.deals.basic_api.get_page(properties=["dealstage", "hs_date_entered_contractsent", "hs_v2_date_entered_presentationscheduled", "closedate", "amount", "hs_is_closed"]).results  # fmt: skip
    (deal,) = deals
    assert deal.properties["dealstage"] == "contractsent" and deal.properties["amount"] == "42000"
    assert deal.properties["hs_date_entered_contractsent"] == "2024-05-27T00:00:00.000Z"
    assert deal.properties["hs_v2_date_entered_presentationscheduled"] == "2024-05-12T00:00:00.000Z"
    assert (
        deal.properties["closedate"] == "2024-07-01T00:00:00.000Z"
        and deal.properties["hs_is_closed"] == "false"
    )
    assert deal.updated_at == NOW - timedelta(days=3)
    read = hs.crm.associations.v4.batch_api.get_page(
        "deals", "contacts", BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": deal.id}])
    )
    labels = sorted(a.label for t in read.results[0].to for a in t.association_types if a.label)
    assert labels == ["Decision Maker", "Technical Buyer"]
    assert (
        hs.crm.contacts.basic_api.get_page(limit=100).results.__len__() == 3
    )  # the in-CRM duplicate is seeded too


def test_seed_is_deterministic_and_persists() -> None:
    a, b = HubSpotStore(now=lambda: NOW), HubSpotStore(now=lambda: NOW)
    a.seed(_world())
    b.seed(_world())
    assert a.to_json() == b.to_json()
    c = HubSpotStore(now=lambda: NOW)
    c.from_json(a.to_json())
    assert c.to_json() == a.to_json()


def test_owner_teams_first_engagement_partner_hand_over_and_loss_reason(
    hs: HubSpot, hs_env: Env
) -> None:
    world = _world()
    handed = NOW - timedelta(days=10)
    ann = replace(
        world.people[0],
        first_sales_touch_at=NOW - timedelta(days=29, hours=20),
        partner=PartnerHandover("Keystone Resellers", handed, "Accepted", handed + timedelta(hours=5)),
    )  # fmt: skip
    lost = replace(world.opportunities[0], stage=6, loss_reason="no_decision")
    users = (replace(world.users[0], department="AE Enterprise"),)
    people = (ann, *world.people[1:])
    hs_env.hubspot.seed(replace(world, users=users, people=people, opportunities=(lost,)))
    (owner,) = hs.crm.owners.owners_api.get_page().results
    assert [(t.name, t.primary) for t in owner.teams] == [("AE Enterprise", True)]
    props = ["hs_sa_first_engagement_date", "hs_first_outreach_date", "partner_name",
             "partner_handoff_date", "partner_status", "partner_status_date"]  # fmt: skip
    got = hs.crm.contacts.basic_api.get_by_id("ann@acme.example", id_property="email", properties=props)  # fmt: skip
    assert got.properties["hs_sa_first_engagement_date"] == "2024-05-02T04:00:00.000Z"
    assert got.properties["hs_first_outreach_date"] == got.properties["hs_sa_first_engagement_date"]
    assert got.properties["partner_name"] == "Keystone Resellers"
    assert got.properties["partner_handoff_date"] == "2024-05-22T00:00:00.000Z"
    assert got.properties["partner_status"] == "Accepted"
    assert got.properties["partner_status_date"] == "2024-05-22T05:00:00.000Z"
    bob = hs.crm.contacts.basic_api.get_by_id("bob@acme.example", id_property="email", properties=props)  # fmt: skip
    assert all(bob.properties.get(p) is None for p in props)
    status = hs.crm.properties.core_api.get_by_name("contacts", "partner_status")
    assert status.hubspot_defined is False and "Closed Won" in [o.value for o in status.options]
    engaged = hs.crm.properties.core_api.get_by_name("contacts", "hs_sa_first_engagement_date")
    assert engaged.hubspot_defined and engaged.modification_metadata.read_only_value
    (deal,) = hs.crm.deals.basic_api.get_page(
        properties=["dealstage", "closed_lost_reason"]
    ).results
    assert deal.properties["dealstage"] == "closedlost"
    assert deal.properties["closed_lost_reason"] == "No decision"
