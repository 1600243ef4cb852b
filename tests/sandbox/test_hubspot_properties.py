"""Properties and groups through the SDK: create, then write/read/search the new property."""

from __future__ import annotations

import json

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.contacts.exceptions import ApiException as ContactApiException
from hubspot.crm.properties import PropertyCreate, PropertyGroupCreate, PropertyUpdate
from hubspot.crm.properties.exceptions import ApiException, NotFoundException

from tests.sandbox import hubspot_env

hs_env, hs = hubspot_env.hs_env, hubspot_env.hs


def test_group_and_property_creation_then_use(hs: HubSpot) -> None:
    props = hs.crm.properties
    group = props.groups_api.create(
        "contacts", PropertyGroupCreate(name="crm_bridge", label="crm-bridge")
    )
    assert group.name == "crm_bridge"
    assert "crm_bridge" in [g.name for g in props.groups_api.get_all("contacts").results]
    created = props.core_api.create(
        "contacts",
        PropertyCreate(name="crmb_persona", label="Persona", type="enumeration", field_type="select", group_name="crm_bridge",
                       options=[{"label": "Economic buyer", "value": "economic_buyer", "displayOrder": 0},
                                {"label": "Champion", "value": "champion", "displayOrder": 1}]),
    )  # fmt: skip
    assert created.name == "crmb_persona" and created.hubspot_defined is False
    props.core_api.create(
        "contacts",
        PropertyCreate(
            name="crmb_sla_due",
            label="SLA due",
            type="date",
            field_type="date",
            group_name="crm_bridge",
        ),
    )
    assert props.core_api.get_by_name("contacts", "crmb_persona").options[1].value == "champion"

    api = hs.crm.contacts.basic_api
    cid = api.create(
        SimplePublicObjectInputForCreate(
            properties={"email": "p@ex.com", "crmb_persona": "champion"}
        )
    ).id
    api.update(cid, SimplePublicObjectInput(properties={"crmb_sla_due": "2024-03-01"}))
    got = api.get_by_id(cid, properties=["crmb_persona", "crmb_sla_due"])
    assert got.properties == {"crmb_persona": "champion", "crmb_sla_due": "2024-03-01"}
    with pytest.raises(ContactApiException) as exc:
        api.update(
            cid, SimplePublicObjectInput(properties={"crmb_sla_due": "2024-03-01T09:30:00Z"})
        )
    assert (
        exc.value.status == 400 and json.loads(exc.value.body)["errors"][0]["in"] == "crmb_sla_due"
    )
    found = hs.crm.contacts.search_api.do_search(
        PublicObjectSearchRequest(
            filter_groups=[
                {
                    "filters": [
                        {"propertyName": "crmb_persona", "operator": "EQ", "value": "champion"}
                    ]
                }
            ]
        )
    )
    assert found.total == 1 and found.results[0].id == cid

    props.core_api.update("contacts", "crmb_persona", PropertyUpdate(label="Buyer persona"))
    assert props.core_api.get_by_name("contacts", "crmb_persona").label == "Buyer persona"
    assert props.core_api.archive("contacts", "crmb_persona") is None
    with pytest.raises(NotFoundException):
        props.core_api.get_by_name("contacts", "crmb_persona")


def test_property_validation(hs: HubSpot) -> None:
    core = hs.crm.properties.core_api
    with pytest.raises(ApiException) as exc:
        core.create(
            "deals",
            PropertyCreate(
                name="x", label="X", type="enumeration", field_type="select", group_name="nope"
            ),
        )
    assert exc.value.status == 400
    with pytest.raises(ApiException) as dup:
        core.create(
            "companies",
            PropertyCreate(
                name="domain",
                label="D",
                type="string",
                field_type="text",
                group_name="companyinformation",
            ),
        )
    assert dup.value.status == 409
    listed = core.get_all("deals").results
    names = {p.name for p in listed}
    assert {
        "dealstage",
        "pipeline",
        "hs_date_entered_closedwon",
        "hs_v2_date_entered_closedwon",
        "hs_is_closed_won",
    } <= names


def test_property_batch_read_and_create(hs: HubSpot) -> None:
    from hubspot.crm.properties import BatchInputPropertyCreate, BatchReadInputPropertyName

    batch = hs.crm.properties.batch_api
    made = batch.create(
        "companies",
        BatchInputPropertyCreate(
            inputs=[
                {
                    "name": "crmb_quadrant",
                    "label": "Quadrant",
                    "type": "string",
                    "fieldType": "text",
                    "groupName": "companyinformation",
                }
            ]
        ),
    )
    assert [p.name for p in made.results] == ["crmb_quadrant"]
    read = batch.read(
        "companies",
        BatchReadInputPropertyName(
            archived=False, inputs=[{"name": "crmb_quadrant"}, {"name": "domain"}]
        ),
    )
    assert sorted(p.name for p in read.results) == ["crmb_quadrant", "domain"]
