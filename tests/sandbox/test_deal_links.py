"""Deals in both CRMs carry ``salesforceopportunityid`` where HubSpot's own Salesforce
integration would have synced them, read through the official clients."""

from __future__ import annotations

from hubspot import HubSpot
from simple_salesforce.api import Salesforce

from crm_bridge.sandbox.hubspot.seed import synced_by_integration
from crm_bridge.sandbox.server import SandboxServer


def test_hubspot_deals_name_their_salesforce_opportunity(
    sandbox: SandboxServer, sandbox_salesforce: Salesforce, sandbox_hubspot: HubSpot
) -> None:
    opps = {
        r["Id"]: r
        for r in sandbox_salesforce.query_all("SELECT Id, Name FROM Opportunity")["records"]
    }
    deals = sandbox_hubspot.crm.deals.get_all(properties=["dealname", "salesforceopportunityid"])
    linked = [d for d in deals if d.properties.get("salesforceopportunityid")]
    for deal in linked:
        opp = opps.get(deal.properties["salesforceopportunityid"])
        assert opp is not None and opp["Name"] == deal.properties["dealname"]
    both = [o for o in sandbox.sandbox.world.opportunities if o.in_salesforce and o.in_hubspot]
    synced = [o for o in both if synced_by_integration(o.id)]
    assert both and len(linked) == len(synced)
    assert 0 < len(synced) < len(both) or len(both) < 5  # most, not all


def test_contacts_carry_their_primary_company_id(
    sandbox: SandboxServer, sandbox_hubspot: HubSpot
) -> None:
    contacts = sandbox_hubspot.crm.contacts.get_all(
        properties=["associatedcompanyid"], associations=["companies"]
    )
    with_company = [c for c in contacts if c.properties.get("associatedcompanyid")]
    assert with_company
    for contact in with_company:
        linked = {a.id for a in contact.associations["companies"].results}
        assert contact.properties["associatedcompanyid"] in linked
