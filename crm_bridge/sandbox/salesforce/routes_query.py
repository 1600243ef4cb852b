"""``query``/``queryAll`` with cursor paging, via the SOQL evaluator."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from .errors import SfApiError, bad_request
from .http import SandboxLike, api_route, json_response, version_of
from .soql_eval import compile_query

DEFAULT_BATCH = 2000
MIN_BATCH = 200


def batch_size(request: Request) -> int:
    """The page size from ``Sforce-Query-Options: batchSize=N`` (200 to 2000, default 2000)."""
    header = request.headers.get("sforce-query-options", "")
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "batchsize" and value.strip().isdigit():
            return max(MIN_BATCH, min(DEFAULT_BATCH, int(value)))
    return DEFAULT_BATCH


def _run(request: Request, sb: SandboxLike, include_deleted: bool) -> Response:
    soql = request.query_params.get("q")
    if not soql:
        raise bad_request("MALFORMED_QUERY", "SOQL query must be specified (q)")
    store = sb.salesforce
    version = version_of(request)
    compiled = compile_query(soql, store, version, store.now())
    rows = compiled.run(store.records(compiled.sobject, include_deleted))
    if compiled.count_only:
        return json_response({"totalSize": len(rows), "done": True, "records": []})
    if compiled.aggregate_count:
        record = {"attributes": {"type": "AggregateResult"}, "expr0": len(rows)}
        return json_response({"totalSize": 1, "done": True, "records": [record]})
    size = batch_size(request)
    project = compiled.project
    body: dict[str, object] = {"totalSize": len(rows), "done": len(rows) <= size}
    if len(rows) > size:
        locator = store.open_cursor(rows, project, size)
        body["nextRecordsUrl"] = f"/services/data/{version}/query/{locator}-{size}"
    body["records"] = [project(r) for r in rows[:size]]
    return json_response(body)


async def query(request: Request, sb: SandboxLike) -> Response:
    """``GET query/?q=`` (live records only)."""
    return _run(request, sb, False)


async def query_all(request: Request, sb: SandboxLike) -> Response:
    """``GET queryAll/?q=`` (also deleted records)."""
    return _run(request, sb, True)


async def query_more(request: Request, sb: SandboxLike) -> Response:
    """``GET query/{locator}-{offset}``: the next page of an open cursor."""
    store = sb.salesforce
    locator, _, start = str(request.path_params["locator"]).rpartition("-")
    cursor = store.cursors.get(locator)
    if cursor is None or not start.isdigit():
        raise SfApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    offset = int(start)
    end = offset + cursor.size
    rows = cursor.rows
    body: dict[str, object] = {"totalSize": len(rows), "done": end >= len(rows)}
    if end < len(rows):
        body["nextRecordsUrl"] = f"/services/data/{version_of(request)}/query/{locator}-{end}"
    else:
        store.cursors.pop(locator, None)
    project = cursor.project
    body["records"] = [project(r) for r in rows[offset:end]]
    return json_response(body)


def routes(sb: SandboxLike) -> list[BaseRoute]:
    """The query routes."""
    base = "/services/data/{version}"
    out: list[BaseRoute] = []
    out += api_route(sb, base + "/query/", query, ["GET"])
    out += api_route(sb, base + "/queryAll/", query_all, ["GET"])
    out += api_route(sb, base + "/query/{locator}", query_more, ["GET"], both_slashes=False)
    out += api_route(sb, base + "/queryAll/{locator}", query_more, ["GET"], both_slashes=False)
    return out
