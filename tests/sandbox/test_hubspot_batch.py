"""Batch endpoints through the SDK: exact status codes, 207 multi-status objects, limits."""

from __future__ import annotations

import json

import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    BatchResponseSimplePublicObject,
    BatchResponseSimplePublicObjectWithErrors,
    BatchResponseSimplePublicUpsertObject,
    BatchResponseSimplePublicUpsertObjectWithErrors,
)
from hubspot.crm.contacts.exceptions import ApiException

from tests.sandbox import hubspot_env
from tests.sandbox.hubspot_env import Env

hs_env, hs = hubspot_env.hs_env, hubspot_env.hs


def _create(hs: HubSpot, n: int) -> list[str]:
    inputs = [{"properties": {"email": f"c{i}@ex.com", "firstname": f"C{i}"}} for i in range(n)]
    res = hs.crm.contacts.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs)
    )
    assert isinstance(res, BatchResponseSimplePublicObject)  # 201 deserialised
    return [r.id for r in res.results]


def test_batch_create_and_read_by_email(hs: HubSpot) -> None:
    ids = _create(hs, 3)
    assert len(ids) == 3
    read = hs.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            properties=["firstname"],
            id_property="email",
            inputs=[{"id": "c1@ex.com"}, {"id": "c2@ex.com"}],
        )
    )
    assert isinstance(read, BatchResponseSimplePublicObject)
    assert sorted(r.properties["firstname"] for r in read.results) == ["C1", "C2"]


def test_batch_update_partial_failure_returns_multi_status(hs: HubSpot, hs_env: Env) -> None:
    ids = _create(hs, 3)
    hs_env.fail_record(ids[2], "UNABLE_TO_WRITE", "injected failure")
    inputs = [
        {"id": ids[0], "properties": {"jobtitle": "VP Sales"}},
        {"id": ids[1], "properties": {"lifecyclestage": "not_a_stage"}},
        {"id": ids[2], "properties": {"jobtitle": "CTO"}},
        {"id": "999", "properties": {"jobtitle": "x"}},
    ]
    res = hs.crm.contacts.batch_api.update(BatchInputSimplePublicObjectBatchInput(inputs=inputs))
    assert isinstance(res, BatchResponseSimplePublicObjectWithErrors)
    assert res.num_errors == 3
    assert [r.id for r in res.results] == [ids[0]]
    by_id = {e.context["ids"][0]: e for e in res.errors}
    assert (
        by_id[ids[1]].category == "VALIDATION_ERROR"
        and by_id[ids[1]].errors[0].code == "INVALID_OPTION"
    )
    assert (
        by_id[ids[2]].category == "UNABLE_TO_WRITE" and by_id[ids[2]].message == "injected failure"
    )
    assert by_id["999"].category == "OBJECT_NOT_FOUND"
    got = hs.crm.contacts.basic_api.get_by_id(ids[2], properties=["jobtitle"])
    assert got.properties["jobtitle"] is None  # the injected failure wrote nothing


def test_batch_upsert_by_email_flags_new(hs: HubSpot, hs_env: Env) -> None:
    _create(hs, 1)
    hs_env.fail_record("bad@ex.com", "VALIDATION_ERROR", "injected")
    inputs = [
        {"idProperty": "email", "id": "c0@ex.com", "properties": {"jobtitle": "CEO"}},
        {"idProperty": "email", "id": "new@ex.com", "properties": {"firstname": "New"}},
    ]
    res = hs.crm.contacts.batch_api.upsert(
        BatchInputSimplePublicObjectBatchInputUpsert(inputs=inputs)
    )
    assert isinstance(res, BatchResponseSimplePublicUpsertObject)
    assert {
        r.properties.get("jobtitle") or r.properties.get("firstname"): r.new for r in res.results
    } == {"CEO": False, "New": True}
    partial = hs.crm.contacts.batch_api.upsert(
        BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[*inputs[:1], {"idProperty": "email", "id": "bad@ex.com", "properties": {}}]
        )
    )
    assert isinstance(partial, BatchResponseSimplePublicUpsertObjectWithErrors)
    assert partial.num_errors == 1 and partial.errors[0].context["ids"] == ["bad@ex.com"]
    found = hs.crm.contacts.basic_api.get_by_id("new@ex.com", id_property="email")
    assert found.properties["email"] == "new@ex.com"


def test_batch_limits_and_archive(hs: HubSpot) -> None:
    too_many = [{"properties": {"email": f"x{i}@ex.com"}} for i in range(101)]
    with pytest.raises(ApiException) as exc:
        hs.crm.contacts.batch_api.create(
            BatchInputSimplePublicObjectBatchInputForCreate(inputs=too_many)
        )
    assert exc.value.status == 400
    assert json.loads(exc.value.body)["category"] == "VALIDATION_ERROR"
    ids = _create(hs, 2)
    assert (
        hs.crm.contacts.batch_api.archive(
            BatchInputSimplePublicObjectId(inputs=[{"id": i} for i in ids])
        )
        is None
    )
    assert hs.crm.contacts.basic_api.get_page().results == []
