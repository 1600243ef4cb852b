"""Associations v4 routes: batch read/create/archive, per-record list/put/delete, labels."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.routing import BaseRoute, Route

from .errors import HubSpotError, not_found, validation
from .http import Call, Result, Runtime, body_dict, endpoint
from .properties import TYPE_IDS
from .store import object_type
from .timeutil import iso

V4 = "/crm/v4/associations/{from_t}/{to_t}"
PAGE = 500


def _pair(call: Call) -> tuple[str, str]:
    return object_type(call.param("from_t")), object_type(call.param("to_t"))


def _types(call: Call, from_t: str, to_t: str, specs: set[tuple[str, int]]) -> list[dict[str, Any]]:
    return [
        {
            "category": cat,
            "typeId": tid,
            "label": call.store.assoc.label_of(from_t, to_t, (cat, tid)),
        }
        for cat, tid in sorted(specs, key=lambda s: s[1])
    ]


def _targets(
    call: Call, from_t: str, from_id: int, to_t: str, after: int, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    found = call.store.assoc.targets(from_t, from_id, to_t)
    ids = [i for i in found if i > after]
    out = [
        {"toObjectId": str(i), "associationTypes": _types(call, from_t, to_t, found[i])}
        for i in ids[:limit]
    ]
    return out, (ids[limit - 1] if len(ids) > limit else None)


def _now() -> str:
    return iso(datetime.now(UTC))


def _batch(results: list[dict[str, Any]], errors: list[dict[str, Any]], status: int) -> Result:
    out: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": _now(),
        "completedAt": _now(),
    }
    if errors:
        out |= {"numErrors": len(errors), "errors": errors}
        return 207, out
    return status, out


def _inputs(call: Call) -> list[dict[str, Any]]:
    inputs = body_dict(call).get("inputs")
    if not isinstance(inputs, list) or len(inputs) > 1000:
        raise validation(
            "inputs must be a list of at most 1000 items", code="INVALID_INPUTS", name="inputs"
        )
    return inputs


def _batch_read(call: Call) -> Result:
    from_t, to_t = _pair(call)
    results, errors = [], []
    for item in _inputs(call):
        ident = str(item.get("id", ""))
        rec = call.store.resolve(from_t, ident)
        to, nxt = (
            ([], None)
            if rec is None
            else _targets(call, from_t, rec.id, to_t, int(item.get("after") or 0), PAGE)
        )
        if not to:
            err = HubSpotError(400, "OBJECT_NOT_FOUND" if rec is None else "VALIDATION_ERROR",
                               f"No {to_t} is associated with {from_t[:-1]} {ident}.", sub_category="crm.associations.NO_ASSOCIATIONS_FOUND")  # fmt: skip
            errors.append(err.standard([ident]) | {"subCategory": err.sub_category})
            continue
        res: dict[str, Any] = {"from": {"id": str(rec.id) if rec else ident}, "to": to}
        if nxt is not None:
            res["paging"] = {"next": {"after": str(nxt), "link": None}}
        results.append(res)
    return _batch(results, errors, 200)


def _specs(items: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [
        (str(t.get("associationCategory", "HUBSPOT_DEFINED")), int(t.get("associationTypeId", 0)))
        for t in items or []
    ]


def _link(
    call: Call, from_t: str, to_t: str, from_ident: str, to_ident: str, specs: list[tuple[str, int]]
) -> dict[str, Any]:
    a = call.store.resolve(from_t, from_ident)
    b = call.store.resolve(to_t, to_ident)
    if a is None or b is None or a.archived or b.archived:
        raise not_found(
            f"No {from_t if a is None else to_t} with id {from_ident if a is None else to_ident}",
            [from_ident if a is None else to_ident],
        )
    call.store.assoc.add(from_t, a.id, to_t, b.id, specs)
    labels = [
        lab for cat, tid in specs if (lab := call.store.assoc.label_of(from_t, to_t, (cat, tid)))
    ]
    return {
        "fromObjectTypeId": TYPE_IDS[from_t],
        "fromObjectId": str(a.id),
        "toObjectTypeId": TYPE_IDS[to_t],
        "toObjectId": str(b.id),
        "labels": labels,
    }


def _batch_create(call: Call) -> Result:
    from_t, to_t = _pair(call)
    results, errors = [], []
    for item in _inputs(call):
        fid, tid = (
            str((item.get("from") or {}).get("id", "")),
            str((item.get("to") or {}).get("id", "")),
        )
        try:
            results.append(_link(call, from_t, to_t, fid, tid, _specs(item.get("types") or [])))
        except HubSpotError as err:
            errors.append(err.standard([fid, tid]))
    return _batch(results, errors, 201)


def _batch_archive(call: Call) -> Result:
    from_t, to_t = _pair(call)
    for item in _inputs(call):
        a = call.store.resolve(from_t, str((item.get("from") or {}).get("id", "")))
        for to in item.get("to") or []:
            b = call.store.resolve(to_t, str(to.get("id", "")))
            if a is not None and b is not None:
                call.store.assoc.remove(from_t, a.id, to_t, b.id)
    return 204, None


def _labels_archive(call: Call) -> Result:
    from_t, to_t = _pair(call)
    for item in _inputs(call):
        a = call.store.resolve(from_t, str((item.get("from") or {}).get("id", "")))
        b = call.store.resolve(to_t, str((item.get("to") or {}).get("id", "")))
        if a is None or b is None:
            continue
        drop = set(_specs(item.get("types") or []))
        current = call.store.assoc.targets(from_t, a.id, to_t).get(b.id, set())
        keep = [
            s
            for s in current
            if (s not in drop and s[0] != "HUBSPOT_DEFINED")
            or (s[1] in (1, 2, 5, 6) and s not in drop)
        ]
        call.store.assoc.remove(from_t, a.id, to_t, b.id)
        call.store.assoc.add(from_t, a.id, to_t, b.id, keep)
    return 204, None


def _labels(call: Call) -> Result:
    from_t, to_t = _pair(call)
    return 200, {
        "results": [
            {"category": c, "typeId": t, "label": lab}
            for t, c, lab in call.store.assoc.types(from_t, to_t)
        ]
    }


def _label_create(call: Call) -> Result:
    from_t, to_t = _pair(call)
    body = body_dict(call)
    if not body.get("label"):
        raise validation("label is required", code="REQUIRED_FIELD", name="label")
    tid = call.store.assoc.create_label(from_t, to_t, str(body["label"]), body.get("inverseLabel"))
    results = [{"category": "USER_DEFINED", "typeId": tid, "label": body["label"]}]
    return 200, {"results": results}


def _record_list(call: Call) -> Result:
    obj, to_t = object_type(call.param("obj")), object_type(call.param("to_t"))
    rec = call.store.get(obj, call.param("id"))
    limit = min(int(call.query("limit") or PAGE), PAGE)
    to, nxt = _targets(call, obj, rec.id, to_t, int(call.query("after") or 0), limit)
    out: dict[str, Any] = {"results": to}
    if nxt is not None:
        out["paging"] = {"next": {"after": str(nxt), "link": None}}
    return 200, out


def _record_put(call: Call) -> Result:
    obj, to_t = object_type(call.param("obj")), object_type(call.param("to_t"))
    specs = _specs(call.body if isinstance(call.body, list) else [])
    return 201, _link(call, obj, to_t, call.param("id"), call.param("to_id"), specs)


def _record_default(call: Call) -> Result:
    obj, to_t = object_type(call.param("obj")), object_type(call.param("to_t"))
    link = _link(call, obj, to_t, call.param("id"), call.param("to_id"), [])
    res = {"from": {"id": link["fromObjectId"]}, "to": {"id": link["toObjectId"]},
           "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": call.store.assoc.types(obj, to_t)[0][0]}}  # fmt: skip
    return _batch([res], [], 200)


def _record_delete(call: Call) -> Result:
    obj, to_t = object_type(call.param("obj")), object_type(call.param("to_t"))
    a, b = call.store.resolve(obj, call.param("id")), call.store.resolve(to_t, call.param("to_id"))
    if a is not None and b is not None:
        call.store.assoc.remove(obj, a.id, to_t, b.id)
    return 204, None


def assoc_routes(rt: Runtime) -> list[BaseRoute]:
    """All v4 association routes."""

    def r(path: str, fn: Any, method: str) -> Route:
        return Route(path, endpoint(rt, fn), methods=[method])

    rec = "/crm/v4/objects/{obj}/{id}/associations"
    return [
        r(V4 + "/batch/read", _batch_read, "POST"),
        r(V4 + "/batch/create", _batch_create, "POST"),
        r(V4 + "/batch/archive", _batch_archive, "POST"),
        r(V4 + "/batch/labels/archive", _labels_archive, "POST"),
        r(V4 + "/labels", _labels, "GET"),
        r(V4 + "/labels", _label_create, "POST"),
        r(rec + "/default/{to_t}/{to_id}", _record_default, "PUT"),
        r(rec + "/{to_t}", _record_list, "GET"),
        r(rec + "/{to_t}/{to_id}", _record_put, "PUT"),
        r(rec + "/{to_t}/{to_id}", _record_delete, "DELETE"),
    ]
