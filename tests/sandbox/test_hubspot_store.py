"""Store-level behaviour: timestamps, unique index, merge, persistence round trip."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm_bridge.sandbox.hubspot.errors import HubSpotError
from crm_bridge.sandbox.hubspot.store import HubSpotStore


def _fixed() -> datetime:
    return datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_modified_dates_strictly_increase_under_a_frozen_clock() -> None:
    store = HubSpotStore(now=_fixed)
    a = store.create("contacts", {"email": "a@ex.com"})
    b = store.create("contacts", {"email": "b@ex.com"})
    store.update("contacts", a, {"firstname": "Ann"})
    assert a.props["lastmodifieddate"] > b.props["lastmodifieddate"] > b.props["createdate"][:-5]
    assert a.props["lastmodifieddate"].endswith("Z") and len(a.props["lastmodifieddate"]) == 24


def test_unique_values_follow_updates_and_archives() -> None:
    store = HubSpotStore(now=_fixed)
    a = store.create("contacts", {"email": "a@ex.com"})
    store.update("contacts", a, {"email": "new@ex.com"})
    assert store.resolve("contacts", "NEW@ex.com", "email") is a
    assert store.resolve("contacts", "a@ex.com", "email") is None
    store.create("contacts", {"email": "a@ex.com"})
    with pytest.raises(HubSpotError) as exc:
        store.create("contacts", {"email": "new@ex.com"})
    assert exc.value.status == 409
    store.archive("contacts", a)
    assert store.create("contacts", {"email": "new@ex.com"}).id != a.id


def test_merge_moves_associations_and_round_trips_through_json() -> None:
    store = HubSpotStore(now=_fixed)
    keep = store.create("contacts", {"email": "k@ex.com"})
    drop = store.create("contacts", {"email": "d@ex.com", "jobtitle": "CFO"})
    deal = store.create("deals", {"dealname": "D", "dealstage": "contractsent"})
    store.assoc.add(
        "deals",
        deal.id,
        "contacts",
        drop.id,
        [("USER_DEFINED", store.assoc.create_label("deals", "contacts", "Champion"))],
    )
    store.merge("contacts", keep, drop)
    assert set(store.assoc.targets("deals", deal.id, "contacts")) == {keep.id}
    assert keep.props["jobtitle"] == "CFO" and keep.props["hs_merged_object_ids"] == str(drop.id)
    copy = HubSpotStore(now=_fixed)
    copy.from_json(store.to_json())
    assert copy.to_json() == store.to_json()
    assert copy.get("contacts", str(drop.id)).id == keep.id
    assert copy.resolve("contacts", "k@ex.com", "email") is not None
    assert copy.get("deals", str(deal.id)).props["hs_is_closed"] == "false"
