"""Identity: stored links, written ids, HubSpot SF ids, email/domain, conversions, ambiguity."""

from __future__ import annotations

from typing import Any

from crm_bridge.mapping.identity import link_records, normalise_email
from crm_bridge.model import Account, Canonical, Person, RecordRef

from .conftest import NOW


def sf(obj: str, rid: str, **values: Any) -> Canonical:
    cls = Account if obj == "Account" else Person
    return cls(RecordRef("salesforce", obj, rid), NOW, values)


def hs(obj: str, rid: str, **values: Any) -> Canonical:
    cls = Account if obj == "companies" else Person
    return cls(RecordRef("hubspot", obj, rid), NOW, values)


def pairs(result: Any) -> set[tuple[str, str, str]]:
    return {(k.salesforce.id, k.hubspot.id, k.method) for k in result.links}


def test_email_case_and_whitespace() -> None:
    assert normalise_email("  Ann.Smith@Acme.COM ") == "ann.smith@acme.com"
    assert normalise_email("not an email") is None
    result = link_records(
        [sf("Contact", "0031", email=" ANN@acme.com")], [hs("contacts", "5", email="ann@Acme.com ")]
    )
    assert pairs(result) == {("0031", "5", "email")}


def test_precedence_stored_written_property_email() -> None:
    records_sf = [
        sf("Contact", "0031", email="a@x.com"),
        sf("Contact", "0032", email="b@x.com", hubspot_id="6"),
        sf("Contact", "0033", email="c@x.com"),
    ]
    records_hs = [
        hs("contacts", "5", email="zzz@x.com"),
        hs("contacts", "6", email="other@x.com"),
        hs("contacts", "7", email="c2@x.com", salesforce_contact_id="0033"),
        hs("contacts", "8", email="a@x.com"),
    ]
    known = {RecordRef("salesforce", "Contact", "0031"): RecordRef("hubspot", "contacts", "5")}
    result = link_records(records_sf, records_hs, known)
    assert pairs(result) == {
        ("0031", "5", "stored"),
        ("0032", "6", "written_id"),
        ("0033", "7", "hubspot_sf_property"),
    }
    assert result.ambiguities == []  # hs 8 shares a@x.com with an already linked contact


def test_converted_lead_moves_link_to_contact() -> None:
    lead = sf("Lead", "00Q1", email="a@x.com", converted=True, converted_contact_id="0039")
    contact = sf("Contact", "0039", email="a@x.com")
    hub = hs("contacts", "5", email="a@x.com")
    known = {RecordRef("hubspot", "contacts", "5"): RecordRef("salesforce", "Lead", "00Q1")}
    result = link_records([lead, contact], [hub], known)
    assert pairs(result) == {("0039", "5", "converted")}
    assert [(c.lead.id, c.contact.id) for c in result.conversions] == [("00Q1", "0039")]
    assert result.duplicates == []  # the converted lead is not a duplicate of its contact
    # HubSpot still pointing at the lead id: also follows the conversion
    hub2 = hs("contacts", "6", salesforceleadid="x", salesforce_lead_id="00Q1")
    result2 = link_records([lead], [hub2])
    assert pairs(result2) == {("0039", "6", "hubspot_sf_property")}


def test_duplicates_and_ambiguity_are_reported_not_linked() -> None:
    records_sf = [sf("Lead", "00Q1", email="a@x.com"), sf("Contact", "0031", email="A@x.com ")]
    records_hs = [hs("contacts", "5", email="a@x.com")]
    result = link_records(records_sf, records_hs)
    assert result.links == []
    assert [(d.key, len(d.records)) for d in result.duplicates] == [("a@x.com", 2)]
    amb = {a.record.id: a for a in result.ambiguities}
    assert set(amb) == {"00Q1", "0031", "5"}
    assert {c.id for c in amb["5"].candidates} == {"00Q1", "0031"}
    assert amb["5"].method == "email"


def test_conflicting_ids_are_ambiguous() -> None:
    records_sf = [sf("Contact", "0031", hubspot_id="5"), sf("Contact", "0032", hubspot_id="5")]
    result = link_records(records_sf, [hs("contacts", "5")])
    assert len(result.links) == 1
    assert result.ambiguities[0].key == "conflicting link"


def test_accounts_by_domain_free_mail_excluded() -> None:
    records_sf = [
        sf("Account", "0011", domain="https://www.Acme.com/"),
        sf("Account", "0012", domain="gmail.com"),
    ]
    records_hs = [hs("companies", "1", domain="acme.com"), hs("companies", "2", domain="GMAIL.com")]
    result = link_records(records_sf, records_hs)
    assert pairs(result) == {("0011", "1", "domain")}
    assert result.by_ref()[RecordRef("hubspot", "companies", "1")].id == "0011"


def test_deals_link_through_hubspots_salesforce_opportunity_id() -> None:
    from crm_bridge.model import Opportunity

    deal_sf = Opportunity(RecordRef("salesforce", "Opportunity", "0061"), NOW, {"name": "Acme"})
    deal_hs = Opportunity(
        RecordRef("hubspot", "deals", "9"), NOW, {"salesforce_opportunity_id": "0061"}
    )
    other_hs = Opportunity(RecordRef("hubspot", "deals", "10"), NOW, {"name": "Acme"})
    result = link_records([deal_sf], [deal_hs, other_hs])
    assert pairs(result) == {("0061", "9", "hubspot_sf_property")}  # never by name
