"""sObject REST: global describe, describe, basic info, and single-record CRUD."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from .errors import bad_request
from .http import SandboxLike, api_route, json_response, read_json, version_of
from .objects import CHILD_RELATIONSHIPS
from .store import Record, SalesforceStore
from .values import format_datetime, parse_datetime


def record_json(
    store: SalesforceStore, sobject: str, rec: Record, version: str, fields: list[str] | None = None
) -> dict[str, Any]:
    """A record as ``GET sobjects/{Type}/{id}`` returns it (optionally only some fields)."""
    schema = store.schemas[sobject]
    out: dict[str, Any] = {
        "attributes": {
            "type": sobject,
            "url": f"/services/data/{version}/sobjects/{sobject}/{rec['Id']}",
        }
    }
    if fields is None:
        for name in schema.fields:
            out[name] = rec.get(name)
        return out
    for name in fields:
        f = schema.get(name.strip())
        if f is None:
            raise bad_request(
                "INVALID_FIELD",
                f"No such column '{name.strip()}' on entity '{sobject}'. If you "
                "are attempting to use a custom field, be sure to append the "
                "'__c' after the custom field name. Please reference your WSDL "
                "or the describe call for the appropriate names.",
            )
        out[f.name] = rec.get(f.name)
    return out


def _fields_param(request: Request) -> list[str] | None:
    raw = request.query_params.get("fields")
    return [f for f in raw.split(",") if f.strip()] if raw else None


async def global_describe(request: Request, sb: SandboxLike) -> Response:
    """``GET sobjects/``."""
    version = version_of(request)
    return json_response(
        {
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [s.summary(version) for s in sb.salesforce.schemas.values()],
        }
    )


async def describe(request: Request, sb: SandboxLike) -> Response:
    """``GET sobjects/{Type}/describe``."""
    schema = sb.salesforce.require_schema(request.path_params["sobject"])
    body = schema.describe(version_of(request))
    body["childRelationships"] = [
        {"childSObject": child, "field": ref, "relationshipName": rel, "cascadeDelete": False}
        for rel, (child, ref) in CHILD_RELATIONSHIPS.get(schema.name, {}).items()
    ]
    return json_response(body)


async def basic_info(request: Request, sb: SandboxLike) -> Response:
    """``GET sobjects/{Type}/`` (object summary and recent items)."""
    schema = sb.salesforce.require_schema(request.path_params["sobject"])
    return json_response({"objectDescribe": schema.summary(version_of(request)), "recentItems": []})


async def create(request: Request, sb: SandboxLike) -> Response:
    """``POST sobjects/{Type}/`` → 201 ``{id, success, errors}``."""
    store = sb.salesforce
    schema = store.require_schema(request.path_params["sobject"])
    body = await read_json(request)
    if not isinstance(body, dict):
        raise bad_request(
            "JSON_PARSER_ERROR", "Cannot deserialize instance of object from START_ARRAY value"
        )
    record_id = store.insert(schema.name, body)
    return json_response({"id": record_id, "success": True, "errors": []}, 201)


async def record(request: Request, sb: SandboxLike) -> Response:
    """``GET/PATCH/DELETE sobjects/{Type}/{id}``."""
    store = sb.salesforce
    schema = store.require_schema(request.path_params["sobject"])
    record_id = str(request.path_params["record_id"])
    if request.method == "GET":
        rec = store.get(schema.name, record_id)
        return json_response(
            record_json(store, schema.name, rec, version_of(request), _fields_param(request))
        )
    if request.method == "DELETE":
        store.delete(schema.name, record_id)
        return Response(status_code=204)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise bad_request(
            "JSON_PARSER_ERROR", "Cannot deserialize instance of object from START_ARRAY value"
        )
    store.update(schema.name, record_id, body)
    return Response(status_code=204)


def _window(request: Request) -> tuple[str, str]:
    try:
        start = format_datetime(parse_datetime(request.query_params["start"]))
        end = format_datetime(parse_datetime(request.query_params["end"]))
    except (KeyError, ValueError):
        raise bad_request("INVALID_REPLICATION_DATE", "start and end are required") from None
    return start, end


async def changed(request: Request, sb: SandboxLike) -> Response:
    """``GET sobjects/{Type}/deleted/`` and ``…/updated/`` over ``?start=&end=``."""
    store = sb.salesforce
    schema = store.require_schema(request.path_params["sobject"])
    start, end = _window(request)
    rows = store.tables[schema.name].values()
    if request.url.path.rstrip("/").endswith("deleted"):
        gone = [
            {"id": r["Id"], "deletedDate": r["SystemModstamp"]}
            for r in rows
            if r.get("IsDeleted") and start <= r["SystemModstamp"] < end
        ]
        return json_response(
            {"deletedRecords": gone, "earliestDateAvailable": start, "latestDateCovered": end}
        )
    ids = [r["Id"] for r in rows if not r.get("IsDeleted") and start <= r["SystemModstamp"] < end]
    return json_response({"ids": ids, "latestDateCovered": end})


def routes(sb: SandboxLike) -> list[BaseRoute]:
    """The sObject routes."""
    base = "/services/data/{version}/sobjects"
    out: list[BaseRoute] = []
    out += api_route(sb, base + "/", global_describe, ["GET"])
    out += api_route(sb, base + "/{sobject}/describe/", describe, ["GET"])
    out += api_route(sb, base + "/{sobject}/deleted/", changed, ["GET"])
    out += api_route(sb, base + "/{sobject}/updated/", changed, ["GET"])
    out += api_route(sb, base + "/{sobject}/", basic_info, ["GET"])
    out += api_route(sb, base + "/{sobject}/", create, ["POST"])
    out += api_route(
        sb, base + "/{sobject}/{record_id}", record, ["GET", "PATCH", "DELETE"], both_slashes=False
    )
    return out
