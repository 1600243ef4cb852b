"""Batch routes `/crm/v3/objects/{type}/batch/{read,create,update,upsert,archive}` with 207s."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.routing import BaseRoute, Route

from .errors import HubSpotError, not_found, validation
from .http import Call, Result, Runtime, body_dict, endpoint
from .records import Record
from .routes_objects import apply_associations
from .store import object_type
from .timeutil import iso

MAX_INPUTS = 100
Item = tuple[Record, list[str], bool | None]


def _inputs(call: Call) -> list[dict[str, Any]]:
    inputs = body_dict(call).get("inputs")
    if not isinstance(inputs, list):
        raise validation("inputs is required", code="REQUIRED_FIELD", name="inputs")
    if len(inputs) > MAX_INPUTS:
        raise HubSpotError(400, "VALIDATION_ERROR", f"Batch input limit exceeded: {len(inputs)} inputs given, at most {MAX_INPUTS} allowed",
                           [{"message": f"size must be between 1 and {MAX_INPUTS}", "code": "TOO_MANY_INPUTS", "in": "inputs"}])  # fmt: skip
    return [i if isinstance(i, dict) else {} for i in inputs]


def _respond(
    started: datetime, ok: list[Item], errors: list[dict[str, Any]], status: int
) -> Result:
    results = []
    for rec, names, new in ok:
        d = rec.to_api(names)
        if new is not None:
            d["new"] = new
        results.append(d)
    out: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": iso(started),
        "completedAt": iso(datetime.now(UTC)),
    }
    if errors:
        out["numErrors"] = len(errors)
        out["errors"] = errors
        return 207, out
    return status, out


def _each(call: Call, status: int, work: Callable[[dict[str, Any]], tuple[str, Item]]) -> Result:
    """Run `work` per input; injected failures and HubSpotErrors become per-record errors."""
    started = datetime.now(UTC)
    ok: list[Item] = []
    errors: list[dict[str, Any]] = []
    for item in _inputs(call):
        ident = str(
            item.get("id")
            or item.get("objectWriteTraceId")
            or (item.get("properties") or {}).get("email")
            or ""
        )
        injected = call.record_failure(ident) if ident else None
        if injected is not None:
            errors.append(injected.standard([ident]))
            continue
        try:
            _, res = work(item)
            ok.append(res)
        except HubSpotError as err:
            if err.status == 429:
                raise
            errors.append(err.standard([ident] if ident else None))
    return _respond(started, ok, errors, status)


def _read(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    body = body_dict(call)
    names = call.store.read_names(obj, [str(p) for p in body.get("properties") or []])
    id_prop = body.get("idProperty")
    archived = call.flag("archived")

    def work(item: dict[str, Any]) -> tuple[str, Item]:
        ident = str(item.get("id", ""))
        rec = call.store.resolve(obj, ident, id_prop)
        if rec is None or rec.archived != archived:
            raise not_found(
                f"Could not get some {obj.upper()} objects, they may be deleted or not exist. Check that ids are valid.",
                [ident],
            )
        return ident, (rec, names, None)

    return _each(call, 200, work)


def _create(call: Call) -> Result:
    obj = object_type(call.param("obj"))

    def work(item: dict[str, Any]) -> tuple[str, Item]:
        props = item.get("properties") or {}
        rec = call.store.create(obj, props)
        apply_associations(call.store, obj, rec, item.get("associations") or [])
        return str(rec.id), (rec, call.store.written_names(obj, props), None)

    return _each(call, 201, work)


def _update(call: Call) -> Result:
    obj = object_type(call.param("obj"))

    def work(item: dict[str, Any]) -> tuple[str, Item]:
        ident = str(item.get("id", ""))
        rec = call.store.resolve(obj, ident, item.get("idProperty"))
        if rec is None or rec.archived:
            raise not_found("Object not found. objectId are usually numeric.", [ident])
        props = item.get("properties") or {}
        call.store.update(obj, rec, props)
        return ident, (rec, call.store.written_names(obj, props), None)

    return _each(call, 200, work)


def _upsert(call: Call) -> Result:
    obj = object_type(call.param("obj"))

    def work(item: dict[str, Any]) -> tuple[str, Item]:
        ident = str(item.get("id", ""))
        id_prop = item.get("idProperty") or "hs_object_id"
        props = dict(item.get("properties") or {})
        rec = call.store.resolve(obj, ident, id_prop if id_prop != "hs_object_id" else None)
        if rec is not None and not rec.archived:
            call.store.update(obj, rec, props)
            return ident, (rec, call.store.written_names(obj, props), False)
        if id_prop == "hs_object_id":
            raise not_found("Object not found. objectId are usually numeric.", [ident])
        props.setdefault(id_prop, ident)
        rec = call.store.create(obj, props)
        return ident, (rec, call.store.written_names(obj, props), True)

    return _each(call, 200, work)


def _archive(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    for item in _inputs(call):
        rec = call.store.resolve(obj, str(item.get("id", "")))
        if rec is not None:
            call.store.archive(obj, rec)
    return 204, None


def batch_routes(rt: Runtime) -> list[BaseRoute]:
    """The five batch endpoints."""
    base = "/crm/v3/objects/{obj}/batch/"
    table = {
        "read": _read,
        "create": _create,
        "update": _update,
        "upsert": _upsert,
        "archive": _archive,
    }
    return [Route(base + op, endpoint(rt, fn), methods=["POST"]) for op, fn in table.items()]
