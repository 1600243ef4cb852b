"""Associations v4, pipelines and owners through the SDK."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
)
from hubspot.crm.contacts import SimplePublicObjectInputForCreate as ContactCreate
from hubspot.crm.deals import SimplePublicObjectInputForCreate as DealCreate
from hubspot.crm.pipelines.exceptions import NotFoundException

from crm_bridge.sandbox.hubspot.owners import Owner
from tests.sandbox import hubspot_env
from tests.sandbox.hubspot_env import Env

hs_env, hs = hubspot_env.hs_env, hubspot_env.hs


def _labels(hs: HubSpot) -> dict[str, int]:
    got = hs.crm.associations.v4.schema.definitions_api.get_all("deals", "contacts")
    return {t.label: t.type_id for t in got.results if t.category == "USER_DEFINED"}


def test_batch_read_returns_labels(hs: HubSpot) -> None:
    labels = _labels(hs)
    assert {"Decision Maker", "Champion", "Blocker", "Influencer", "Economic Buyer"} <= set(labels)
    deal = hs.crm.deals.basic_api.create(DealCreate(properties={"dealname": "D"})).id
    ann = hs.crm.contacts.basic_api.create(ContactCreate(properties={"email": "ann@ex.com"})).id
    bob = hs.crm.contacts.basic_api.create(
        ContactCreate(properties={"email": "bob@ex.com"}),
    ).id
    created = hs.crm.associations.v4.batch_api.create("deals", "contacts", BatchInputPublicAssociationMultiPost(inputs=[
        {"from": {"id": deal}, "to": {"id": ann}, "types": [{"associationCategory": "USER_DEFINED", "associationTypeId": labels["Decision Maker"]}]},
        {"from": {"id": deal}, "to": {"id": bob}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]},
    ]))  # fmt: skip
    assert [r.labels for r in created.results] == [["Decision Maker"], []]
    read = hs.crm.associations.v4.batch_api.get_page(
        "deals", "contacts", BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": deal}])
    )
    (result,) = read.results
    by_contact = {
        t.to_object_id: {(a.type_id, a.label) for a in t.association_types} for t in result.to
    }
    assert by_contact == {
        ann: {(3, None), (labels["Decision Maker"], "Decision Maker")},
        bob: {(3, None)},
    }
    back = hs.crm.associations.v4.basic_api.get_page("contacts", ann, "deals")
    assert [
        (t.to_object_id, sorted(a.label or "" for a in t.association_types)) for t in back.results
    ] == [(deal, ["", "Decision Maker"])]
    v3 = hs.crm.deals.basic_api.get_by_id(deal, associations=["contacts"])
    assert sorted(a.id for a in v3.associations["contacts"].results) == sorted([ann, ann, bob])


def test_put_primary_company_and_label_create(hs: HubSpot) -> None:
    from hubspot.crm.associations.v4.schema import PublicAssociationDefinitionCreateRequest
    from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyCreate

    co = hs.crm.companies.basic_api.create(CompanyCreate(properties={"name": "Acme"})).id
    ann = hs.crm.contacts.basic_api.create(ContactCreate(properties={"email": "ann@ex.com"})).id
    pair = hs.crm.associations.v4.basic_api.create(
        "contacts",
        ann,
        "companies",
        co,
        [AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=1)],
    )
    assert (
        pair.from_object_id == ann
        and pair.to_object_type_id == "0-2"
        and pair.labels == ["Primary"]
    )
    rev = hs.crm.associations.v4.basic_api.get_page("companies", co, "contacts")
    assert {a.type_id for a in rev.results[0].association_types} == {280, 2}
    made = hs.crm.associations.v4.schema.definitions_api.create(
        "contacts",
        "companies",
        PublicAssociationDefinitionCreateRequest(label="Former employee", name="former"),
    )
    assert made.results[0].label == "Former employee"
    hs.crm.associations.v4.basic_api.archive("contacts", ann, "companies", co)
    assert hs.crm.associations.v4.basic_api.get_page("companies", co, "contacts").results == []


def test_pipelines(hs: HubSpot) -> None:
    api = hs.crm.pipelines.pipelines_api
    (default,) = api.get_all("deals").results
    assert default.id == "default" and default.label == "Sales Pipeline"
    assert [s.id for s in default.stages][-2:] == ["closedwon", "closedlost"]
    assert default.stages[5].metadata == {"isClosed": "true", "probability": "1.0"}
    stages = hs.crm.pipelines.pipeline_stages_api.get_all("deals", "default").results
    assert stages[0].metadata["probability"] == "0.2"
    with pytest.raises(NotFoundException) as exc:
        api.get_by_id("deals", "nope")
    assert exc.value.status == 404


def test_owners_page(hs: HubSpot, hs_env: Env) -> None:
    for i in range(3):
        hs_env.hubspot.owners[100 + i] = Owner(
            100 + i,
            f"rep{i}@ex.com",
            "Rep",
            str(i),
            900 + i,
            ("Sales",),
            datetime(2023, 1, 1, tzinfo=UTC),
        )
    first = hs.crm.owners.owners_api.get_page(limit=2)
    assert [o.email for o in first.results] == ["rep0@ex.com", "rep1@ex.com"]
    rest = hs.crm.owners.owners_api.get_page(limit=2, after=first.paging.next.after)
    assert [o.id for o in rest.results] == ["102"] and rest.paging is None
    assert hs.crm.owners.owners_api.get_by_id(101).teams[0].name == "Sales"
