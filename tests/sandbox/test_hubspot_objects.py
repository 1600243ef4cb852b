"""Objects API through the unmodified hubspot SDK: list, get, create, update, archive, merge, validation."""

from __future__ import annotations

import json

import pytest
from hubspot import HubSpot
from hubspot.crm.companies import PublicMergeInput
from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyCreate
from hubspot.crm.contacts import SimplePublicObjectInput
from hubspot.crm.contacts import SimplePublicObjectInputForCreate as ContactCreate
from hubspot.crm.contacts.exceptions import ApiException, NotFoundException
from hubspot.crm.deals import SimplePublicObjectInput as DealInput
from hubspot.crm.deals import SimplePublicObjectInputForCreate as DealCreate
from hubspot.crm.deals.exceptions import ApiException as DealApiException

from tests.sandbox import hubspot_env
from tests.sandbox.hubspot_env import Env

hs_env, hs = hubspot_env.hs_env, hubspot_env.hs


def _contact(hs: HubSpot, **props: str) -> str:
    return str(hs.crm.contacts.basic_api.create(ContactCreate(properties=props)).id)


def test_list_pages_with_after_and_repeated_properties(hs: HubSpot) -> None:
    ids = [_contact(hs, email=f"p{i}@ex.com", jobtitle=f"T{i}") for i in range(25)]
    api = hs.crm.contacts.basic_api
    seen: list[str] = []
    after = None
    while True:
        page = api.get_page(limit=10, after=after, properties=["email", "jobtitle"])
        seen += [r.id for r in page.results]
        assert all(r.properties["jobtitle"].startswith("T") for r in page.results)
        if page.paging is None:
            break
        after = page.paging.next.after
    assert seen == ids
    default = api.get_page().results
    assert len(default) == 10
    assert set(default[0].properties) == {
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    }


def test_get_by_id_and_email_with_iso_timestamps(hs: HubSpot) -> None:
    cid = _contact(hs, email="Ann@Ex.com", firstname="Ann", lifecyclestage="lead")
    api = hs.crm.contacts.basic_api
    by_email = api.get_by_id(
        "ann@ex.com",
        id_property="email",
        properties=["email", "lifecyclestage", "hs_v2_date_entered_lead"],
    )
    assert by_email.id == cid
    assert by_email.properties["lifecyclestage"] == "lead"
    assert by_email.properties["hs_v2_date_entered_lead"].endswith("Z")
    assert by_email.created_at.tzinfo is not None
    with pytest.raises(NotFoundException) as exc:
        api.get_by_id("42")
    assert exc.value.status == 404
    assert json.loads(exc.value.body)["category"] == "OBJECT_NOT_FOUND"


def test_update_moves_modified_date_and_archive_goes_to_recycle_bin(hs: HubSpot) -> None:
    api = hs.crm.contacts.basic_api
    cid = _contact(hs, email="b@ex.com")
    before = api.get_by_id(cid, properties=["lastmodifieddate"]).properties["lastmodifieddate"]
    updated = api.update(
        cid, SimplePublicObjectInput(properties={"jobtitle": "CFO", "hubspotscore": 42})
    )
    assert updated.properties["jobtitle"] == "CFO"
    after = api.get_by_id(cid, properties=["lastmodifieddate", "hubspotscore"])
    assert after.properties["lastmodifieddate"] > before
    assert after.properties["hubspotscore"] == "42"
    assert api.archive(cid) is None
    with pytest.raises(NotFoundException):
        api.get_by_id(cid)
    archived = api.get_page(archived=True).results
    assert [r.id for r in archived] == [cid]
    assert archived[0].archived is True and archived[0].archived_at is not None
    assert api.get_page().results == []


def test_validation_errors_name_the_property(hs: HubSpot) -> None:
    api = hs.crm.contacts.basic_api
    cases = [
        ({"favourite_colour": "red"}, "PROPERTY_DOESNT_EXIST", "favourite_colour"),
        ({"lifecyclestage": "hot"}, "INVALID_OPTION", "lifecyclestage"),
        ({"hubspotscore": "many"}, "INVALID_NUMBER", "hubspotscore"),
    ]
    for props, code, name in cases:
        with pytest.raises(ApiException) as exc:
            api.create(ContactCreate(properties=props))
        body = json.loads(exc.value.body)
        assert exc.value.status == 400
        assert body["category"] == "VALIDATION_ERROR"
        assert body["errors"][0]["code"] == code and body["errors"][0]["in"] == name
    with pytest.raises(DealApiException) as dexc:
        hs.crm.deals.basic_api.create(
            DealCreate(
                properties={"dealname": "X", "closedate": "2024-05-01T10:00:00Z", "dealstage": "x"}
            )
        )
    assert dexc.value.status == 400


def test_duplicate_email_is_conflict(hs: HubSpot) -> None:
    _contact(hs, email="dup@ex.com")
    with pytest.raises(ApiException) as exc:
        _contact(hs, email="DUP@ex.com")
    assert exc.value.status == 409
    assert json.loads(exc.value.body)["category"] == "CONFLICT"


def test_deal_stage_properties_and_string_booleans(hs: HubSpot) -> None:
    api = hs.crm.deals.basic_api
    deal = api.create(
        DealCreate(
            properties={
                "dealname": "Big",
                "amount": "1000.50",
                "dealstage": "qualifiedtobuy",
                "closedate": "2024-06-30",
            }
        )
    )
    api.update(deal.id, DealInput(properties={"dealstage": "closedwon"}))
    got = api.get_by_id(deal.id, properties=["pipeline", "hs_is_closed", "hs_is_closed_won", "hs_date_entered_closedwon",
                                             "hs_v2_date_entered_qualifiedtobuy", "amount", "hs_lastmodifieddate"])  # fmt: skip
    p = got.properties
    assert (
        p["pipeline"] == "default"
        and p["hs_is_closed"] == "true"
        and p["hs_is_closed_won"] == "true"
    )
    assert p["hs_date_entered_closedwon"] and p["hs_v2_date_entered_qualifiedtobuy"]
    assert p["amount"] == "1000.50"


def test_merge_resolves_old_id_to_primary(hs: HubSpot) -> None:
    api = hs.crm.companies.basic_api
    a = api.create(CompanyCreate(properties={"name": "Acme", "domain": "acme.com"})).id
    b = api.create(CompanyCreate(properties={"name": "Acme Inc", "industry": "RETAIL"})).id
    merged = api.merge(PublicMergeInput(primary_object_id=a, object_id_to_merge=b))
    assert merged.id == a
    via_old = api.get_by_id(b, properties=["industry", "hs_merged_object_ids", "name"])
    assert via_old.id == a
    assert via_old.properties == {"industry": "RETAIL", "hs_merged_object_ids": b, "name": "Acme"}


def test_object_type_id_aliases(hs: HubSpot, hs_env: Env) -> None:
    cid = _contact(hs, email="alias@ex.com")
    got = hs.crm.objects.basic_api.get_by_id("0-1", cid, properties=["email"])
    assert got.properties["email"] == "alias@ex.com"


def test_gdpr_delete_purges_for_good(hs: HubSpot) -> None:
    from hubspot.crm.contacts import PublicGdprDeleteInput

    api = hs.crm.contacts.basic_api
    _contact(hs, email="gone@ex.com")
    assert api.purge(PublicGdprDeleteInput(object_id="gone@ex.com", id_property="email")) is None
    assert api.get_page(archived=True).results == [] and api.get_page().results == []
    _contact(hs, email="gone@ex.com")  # the address is free again
