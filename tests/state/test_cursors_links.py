"""Cursors and identity links."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from crm_bridge.model import RecordRef
from crm_bridge.state import LinkConflict, StateStore

from .conftest import T0

LEAD = RecordRef("salesforce", "Lead", "00Q000000000001")
CONTACT = RecordRef("salesforce", "Contact", "003000000000001")
HS = RecordRef("hubspot", "contacts", "501")
HS2 = RecordRef("hubspot", "contacts", "502")
ACCOUNT = RecordRef("salesforce", "Account", "001000000000001")
COMPANY = RecordRef("hubspot", "companies", "77")


def test_cursor_round_trip_and_replace(store: StateStore) -> None:
    assert store.get_cursor("sf", "Lead") is None
    store.set_cursor("sf", "Lead", T0, "00Q9")
    cursor = store.get_cursor("sf", "Lead")
    assert cursor is not None and cursor.at == T0 and cursor.token == "00Q9"
    assert cursor.at.tzinfo is not None and cursor.at.utcoffset() == timedelta(0)
    store.set_cursor("sf", "Lead", T0 + timedelta(hours=1))
    assert store.get_cursor("sf", "Lead") == type(cursor)(T0 + timedelta(hours=1), None)
    assert store.get_cursor("sf", "Contact") is None
    store.set_cursor("hs", "contacts", T0)
    assert store.delete_cursors("sf") == 1
    assert store.get_cursor("sf", "Lead") is None and store.get_cursor("hs", "contacts") is not None


def test_naive_datetimes_are_refused(store: StateStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.set_cursor("sf", "Lead", datetime(2026, 1, 1))


def test_link_in_either_order_and_look_up_both_sides(store: StateStore) -> None:
    link = store.link(HS, LEAD, method="email", at=T0)
    assert (link.kind, link.salesforce, link.hubspot, link.method) == ("person", LEAD, HS, "email")
    assert store.linked(LEAD) == HS and store.linked(HS) == LEAD
    assert store.linked(CONTACT) is None
    assert store.link(LEAD, HS, method="domain", at=T0 + timedelta(1)) == link  # unchanged
    fetched = store.get_link(HS)
    assert fetched is not None and fetched.linked_at == T0 and fetched.method == "email"


def test_link_conflicts_and_bad_pairs(store: StateStore) -> None:
    store.link(LEAD, HS, method="email", at=T0)
    with pytest.raises(LinkConflict, match="already linked"):
        store.link(LEAD, HS2, method="email", at=T0)
    with pytest.raises(LinkConflict):
        store.link(CONTACT, HS, method="email", at=T0)
    with pytest.raises(ValueError, match="Salesforce and a HubSpot"):
        store.link(LEAD, CONTACT, method="email", at=T0)
    with pytest.raises(ValueError, match="cannot link a person"):
        store.link(LEAD, COMPANY, method="email", at=T0)
    with pytest.raises(ValueError, match="unknown link method"):
        store.link(CONTACT, HS2, method="guess", at=T0)  # type: ignore[arg-type]


def test_relink_moves_a_converted_lead_to_its_contact(store: StateStore) -> None:
    store.link(LEAD, HS, method="crm_id_property", at=T0)
    assert store.relink(LEAD, CONTACT, method="converted") is True
    assert store.linked(HS) == CONTACT and store.linked(LEAD) is None
    moved = store.get_link(CONTACT)
    assert moved is not None and moved.method == "converted" and moved.linked_at == T0
    assert store.relink(LEAD, CONTACT) is False  # the lead is no longer linked
    store.link(RecordRef("salesforce", "Lead", "00Q2"), HS2, method="email", at=T0)
    with pytest.raises(LinkConflict):
        store.relink(RecordRef("salesforce", "Lead", "00Q2"), CONTACT)
    with pytest.raises(ValueError):
        store.relink(LEAD, HS2)


def test_unlink_iter_links_and_bulk_lookup(store: StateStore) -> None:
    people = [
        (
            RecordRef("salesforce", "Contact", f"003{i:05d}"),
            RecordRef("hubspot", "contacts", str(i)),
        )
        for i in range(1200)
    ]
    with store.transaction():
        for sf, hs in people:
            store.link(sf, hs, method="email", at=T0)
    store.link(ACCOUNT, COMPANY, method="domain", at=T0)
    links = list(store.iter_links("person"))
    assert [(link.salesforce, link.hubspot) for link in links] == people
    assert [link.hubspot for link in store.iter_links("account")] == [COMPANY]
    assert len(list(store.iter_links())) == 1201
    many = store.linked_many([hs for _, hs in people] + [LEAD])
    assert len(many) == 1200 and many[people[7][1]] == people[7][0]
    assert store.unlink(people[0][1]) is True and store.unlink(people[0][1]) is False
    assert store.linked(people[0][0]) is None


def test_link_many_is_one_transaction_all_or_none(store: StateStore) -> None:
    a, b = RecordRef("salesforce", "Contact", "003A"), RecordRef("hubspot", "contacts", "1")
    c, d = RecordRef("salesforce", "Contact", "003C"), RecordRef("hubspot", "contacts", "2")
    made = store.link_many([(a, b, "email"), (d, c, "written_id")], at=T0)
    assert [(k.salesforce, k.hubspot, k.method) for k in made] == [
        (a, b, "email"),
        (c, d, "written_id"),
    ]
    e = RecordRef("salesforce", "Contact", "003E")
    f = RecordRef("hubspot", "contacts", "3")
    with pytest.raises(LinkConflict):  # the second pair conflicts: the first is not kept
        store.link_many([(e, f, "email"), (e, b, "email")], at=T0)
    assert store.get_link(e) is None and store.get_link(f) is None
    assert store.link_many([], at=T0) == []
