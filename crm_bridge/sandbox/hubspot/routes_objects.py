"""Routes of `/crm/v3/objects/{type}`: list, get, create, update, archive, merge, search."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Route

from .associations import AssociationStore
from .errors import not_found, validation
from .http import Call, Result, Runtime, body_dict, endpoint
from .records import Record
from .store import HubSpotStore, object_type

BASE = "/crm/v3/objects/{obj}"


def apply_associations(
    store: HubSpotStore, obj: str, rec: Record, items: list[dict[str, Any]]
) -> None:
    """Create associations given in a create body: `[{"to":{"id"},"types":[{category,typeId}]}]`."""
    assoc: AssociationStore = store.assoc
    for item in items or []:
        to_id = str((item.get("to") or {}).get("id", ""))
        types = item.get("types") or []
        for t in types:
            tid = int(t.get("associationTypeId", 0))
            to_t = _target_type(assoc, obj, tid)
            target = store.resolve(to_t, to_id)
            if target is None or target.archived:
                raise validation(
                    f"Association target {to_id} does not exist",
                    code="INVALID_ASSOCIATION",
                    name="associations",
                )
            assoc.add(
                obj,
                rec.id,
                to_t,
                target.id,
                [(str(t.get("associationCategory", "HUBSPOT_DEFINED")), tid)],
            )


def _target_type(assoc: AssociationStore, obj: str, tid: int) -> str:
    for (f, t), types in assoc.labels.items():
        if f == obj and any(x[0] == tid for x in types):
            return t
    raise validation(
        f"Unknown association type id {tid} for {obj}",
        code="INVALID_ASSOCIATION_TYPE",
        name="associations",
    )


def render(call: Call, obj: str, rec: Record, names: list[str] | None = None) -> dict[str, Any]:
    """A record with the requested properties and associations."""
    names = (
        names if names is not None else call.store.read_names(obj, call.query_list("properties"))
    )
    assoc = call.store.assoc_block(obj, rec, call.query_list("associations"))
    return rec.to_api(names, assoc)


def _list(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    limit = int(call.query("limit") or 10)
    if not 1 <= limit <= 100:
        raise validation("limit must be between 1 and 100", code="INVALID_LIMIT", name="limit")
    try:
        after = int(call.query("after") or 0)
    except ValueError as exc:
        raise validation("after must be a record id", code="INVALID_AFTER", name="after") from exc
    recs, nxt = call.store.page(obj, after, limit, call.flag("archived"))
    names = call.store.read_names(obj, call.query_list("properties"))
    out: dict[str, Any] = {"results": [render(call, obj, r, names) for r in recs]}
    if nxt is not None:
        out["paging"] = {
            "next": {"after": str(nxt), "link": f"{call.request.url.path}?after={nxt}"}
        }
    return 200, out


def _get(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    rec = call.store.get(obj, call.param("id"), call.query("idProperty"), call.flag("archived"))
    return 200, render(call, obj, rec)


def _create(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    body = body_dict(call)
    rec = call.store.create(obj, body.get("properties") or {})
    apply_associations(call.store, obj, rec, body.get("associations") or [])
    return 201, render(call, obj, rec, call.store.written_names(obj, body.get("properties") or {}))


def _update(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    rec = call.store.get(obj, call.param("id"), call.query("idProperty"))
    props = body_dict(call).get("properties") or {}
    call.store.update(obj, rec, props)
    return 200, rec.to_api(call.store.written_names(obj, props))


def _archive(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    rec = call.store.resolve(obj, call.param("id"))
    if rec is not None:
        call.store.archive(obj, rec)
    return 204, None


def _merge(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    body = body_dict(call)
    if obj == "deals":
        raise validation("Merging is supported for contacts and companies", code="INVALID_MERGE")
    primary = call.store.get(obj, str(body.get("primaryObjectId", "")))
    other = call.store.get(obj, str(body.get("objectIdToMerge", "")))
    merged = call.store.merge(obj, primary, other)
    return 200, merged.to_api(call.store.read_names(obj, None))


def _search(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    body = call.body if isinstance(call.body, dict) else {}
    return 200, call.engine.search(obj, body)


def _gdpr(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    body = body_dict(call)
    rec = call.store.resolve(obj, str(body.get("objectId", "")), body.get("idProperty"))
    if rec is None:
        raise not_found("Object not found.", [str(body.get("objectId", ""))])
    call.store.purge(obj, rec)
    return 204, None


def object_routes(rt: Runtime) -> list[BaseRoute]:
    """Basic object and search routes."""

    def r(path: str, fn: Any, method: str, **kw: Any) -> Route:
        return Route(path, endpoint(rt, fn, **kw), methods=[method])

    return [
        r(BASE + "/search", _search, "POST", search=True),
        r(BASE + "/merge", _merge, "POST"),
        r(BASE + "/gdpr-delete", _gdpr, "POST"),
        r(BASE, _list, "GET"),
        r(BASE, _create, "POST"),
        r(BASE + "/{id}", _get, "GET"),
        r(BASE + "/{id}", _update, "PATCH"),
        r(BASE + "/{id}", _archive, "DELETE"),
    ]
