"""sObject Collections: ``composite/sobjects`` create, update, delete and retrieve."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from .errors import SfApiError, bad_request
from .http import CRM, SandboxLike, api_route, json_response, read_json, version_of
from .ids import normalise
from .routes_sobjects import record_json
from .store import Record, SalesforceStore

MAX_RECORDS = 200
ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was "
    "using AllOrNone header",
    "fields": [],
}
Undo = Callable[[], None]


def _too_many() -> SfApiError:
    return bad_request(
        "EXCEEDED_ID_LIMIT",
        "record limit reached. cannot submit more than 200 records into this call",
    )


def _type_of(store: SalesforceStore, rec: Any) -> str:
    if not isinstance(rec, dict):
        raise bad_request("JSON_PARSER_ERROR", "Cannot deserialize instance of SObject")
    attrs = rec.get("attributes")
    name = attrs.get("type") if isinstance(attrs, dict) else None
    if not name:
        raise bad_request("INVALID_TYPE", "Must send a concrete entity type.")
    schema = store.schema(str(name))
    if schema is None:
        raise bad_request("INVALID_TYPE", f"sObject type '{name}' is not supported.")
    return schema.name


def _fault(sb: SandboxLike, method: str, path: str, record_id: str) -> None:
    failure = sb.faults.record_failure(CRM, method, path, record_id)
    if failure is not None:
        raise bad_request(failure[0], failure[1])


def _write_one(
    sb: SandboxLike, method: str, path: str, rec: dict[str, Any], undo: list[Undo]
) -> str:
    store = sb.salesforce
    sobject = _type_of(store, rec)
    if method == "POST":
        if rec.get("id") or rec.get("Id"):
            raise bad_request(
                "INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", ["Id"]
            )
        _fault(sb, method, path, "")
        new_id = store.insert(sobject, rec)
        undo.append(lambda: store.remove(sobject, new_id))
        return new_id
    record_id = str(rec.get("id") or rec.get("Id") or "")
    if not record_id:
        raise bad_request("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
    _fault(sb, method, path, normalise(record_id))
    found = store.find(record_id)
    if found is None or found[0] != sobject:
        raise bad_request("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    snapshot = store.snapshot(sobject, record_id)
    store.update(sobject, record_id, rec)
    undo.append(lambda: store.restore(sobject, snapshot))
    return str(snapshot["Id"])


def _finish(
    results: list[dict[str, Any]], undo: list[Undo], all_or_none: bool, keep_ids: bool = True
) -> Response:
    if all_or_none and any(not r["success"] for r in results):
        for step in reversed(undo):
            step()
        results = [r if not r["success"] else _rolled_back(r, keep_ids) for r in results]
    return json_response(results)


def _rolled_back(result: dict[str, Any], keep_id: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": result["id"]} if keep_id else {}
    out.update(success=False, errors=[dict(ROLLED_BACK)])
    return out


async def write(request: Request, sb: SandboxLike) -> Response:
    """``POST``/``PATCH composite/sobjects {allOrNone, records}``: per-record results."""
    body = await read_json(request)
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        raise bad_request("JSON_PARSER_ERROR", "Cannot deserialize instance of records")
    if len(records) > MAX_RECORDS:
        raise _too_many()
    all_or_none = bool(body.get("allOrNone", False))
    undo: list[Undo] = []
    results: list[dict[str, Any]] = []
    method, path = request.method, request.url.path
    for rec in records:
        try:
            record_id = _write_one(sb, method, path, rec, undo)
            results.append({"id": record_id, "success": True, "errors": []})
        except SfApiError as err:
            result: dict[str, Any] = {"success": False, "errors": [err.record_error()]}
            if method == "PATCH" and isinstance(rec, dict) and (rec.get("id") or rec.get("Id")):
                result = {"id": rec.get("id") or rec.get("Id"), **result}
            results.append(result)
    return _finish(results, undo, all_or_none, keep_ids=method != "POST")


def _restorer(store: SalesforceStore, sobject: str, snapshot: Record) -> Undo:
    return lambda: store.restore(sobject, snapshot)


async def delete(request: Request, sb: SandboxLike) -> Response:
    """``DELETE composite/sobjects?ids=a,b&allOrNone=false``."""
    store = sb.salesforce
    ids = [i for i in request.query_params.get("ids", "").split(",") if i]
    if not ids:
        raise bad_request("MISSING_ARGUMENT", "ids parameter is required")
    if len(ids) > MAX_RECORDS:
        raise _too_many()
    all_or_none = request.query_params.get("allOrNone", "false").lower() == "true"
    undo: list[Undo] = []
    results: list[dict[str, Any]] = []
    for record_id in ids:
        try:
            _fault(sb, "DELETE", request.url.path, normalise(record_id))
            found = store.find(record_id)
            if found is None:
                raise bad_request("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
            if found[1].get("IsDeleted"):
                raise bad_request("ENTITY_IS_DELETED", "entity is deleted")
            snapshot = dict(found[1])
            store.delete(found[0], record_id)
            undo.append(_restorer(store, found[0], snapshot))
            results.append({"id": found[1]["Id"], "success": True, "errors": []})
        except SfApiError as err:
            results.append({"id": record_id, "success": False, "errors": [err.record_error()]})
    return _finish(results, undo, all_or_none)


async def retrieve(request: Request, sb: SandboxLike) -> Response:
    """``GET composite/sobjects/{Type}?ids=&fields=`` (POST with a JSON body also works)."""
    store = sb.salesforce
    schema = store.require_schema(request.path_params["sobject"])
    if request.method == "POST":
        body = await read_json(request)
        ids = list(body.get("ids") or []) if isinstance(body, dict) else []
        fields = list(body.get("fields") or []) if isinstance(body, dict) else []
    else:
        ids = [i for i in request.query_params.get("ids", "").split(",") if i]
        fields = [f for f in request.query_params.get("fields", "").split(",") if f]
    if not ids or not fields:
        raise bad_request("MISSING_ARGUMENT", "ids and fields are required")
    if len(ids) > 2000:
        raise _too_many()
    version = version_of(request)
    out: list[dict[str, Any] | None] = []
    for record_id in ids:
        rec: Record | None = store.tables[schema.name].get(normalise(str(record_id)))
        if rec is None or rec.get("IsDeleted"):
            out.append(None)
        else:
            out.append(record_json(store, schema.name, rec, version, fields))
    return json_response(out)


def routes(sb: SandboxLike) -> list[BaseRoute]:
    """The collection routes."""
    base = "/services/data/{version}/composite/sobjects"
    out: list[BaseRoute] = []
    out += api_route(sb, base, write, ["POST", "PATCH"])
    out += api_route(sb, base, delete, ["DELETE"])
    out += api_route(sb, base + "/{sobject}", retrieve, ["GET", "POST"])
    return out
