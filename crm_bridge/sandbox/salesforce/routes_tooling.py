"""Tooling API routes: create/read ``CustomField`` and the tooling query."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from .errors import bad_request, not_found
from .http import SandboxLike, api_route, json_response, read_json, version_of
from .soql_eval import compile_query
from .tooling import ToolingCatalog, create_custom_field


async def create_field(request: Request, sb: SandboxLike) -> Response:
    """``POST tooling/sobjects/CustomField``."""
    record_id = create_custom_field(sb.salesforce, await read_json(request))
    return json_response(
        {"id": record_id, "success": True, "errors": [], "warnings": [], "infos": []}, 201
    )


async def get_field(request: Request, sb: SandboxLike) -> Response:
    """``GET tooling/sobjects/CustomField/{id}`` (with FullName and Metadata)."""
    wanted = str(request.path_params["record_id"])
    for row in sb.salesforce.custom_fields:
        if row["Id"] == wanted or row["Id"][:15] == wanted:
            url = f"/services/data/{version_of(request)}/tooling/sobjects/CustomField/{row['Id']}"
            return json_response({"attributes": {"type": "CustomField", "url": url}, **row})
    raise not_found()


async def tooling_query(request: Request, sb: SandboxLike) -> Response:
    """``GET tooling/query/?q=`` over CustomField."""
    soql = request.query_params.get("q")
    if not soql:
        raise bad_request("MALFORMED_QUERY", "SOQL query must be specified (q)")
    catalog = ToolingCatalog(sb.salesforce)
    compiled = compile_query(soql, catalog, version_of(request) + "/tooling")
    rows = compiled.run(r for r in sb.salesforce.custom_fields if not r["IsDeleted"])
    if compiled.count_only:
        return json_response(
            {
                "size": len(rows),
                "totalSize": len(rows),
                "done": True,
                "records": [],
                "entityTypeName": "CustomField",
            }
        )
    records = [compiled.project(r) for r in rows]
    return json_response(
        {
            "size": len(rows),
            "totalSize": len(rows),
            "done": True,
            "queryLocator": None,
            "entityTypeName": "CustomField",
            "records": records,
        }
    )


def routes(sb: SandboxLike) -> list[BaseRoute]:
    """The tooling routes."""
    base = "/services/data/{version}/tooling"
    out: list[BaseRoute] = []
    out += api_route(sb, base + "/sobjects/CustomField/", create_field, ["POST"])
    out += api_route(
        sb, base + "/sobjects/CustomField/{record_id}", get_field, ["GET"], both_slashes=False
    )
    out += api_route(sb, base + "/query/", tooling_query, ["GET"])
    return out
