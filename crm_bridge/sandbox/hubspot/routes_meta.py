"""Routes for properties, property groups, pipelines, owners and the OAuth token endpoint."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from starlette.routing import BaseRoute, Route

from .errors import HubSpotError, not_found, validation
from .http import Call, Result, Runtime, body_dict, endpoint
from .properties import property_from_api, update_property
from .store import object_type
from .timeutil import iso

PROPS = "/crm/v3/properties/{obj}"


def _batch_out(results: list[dict[str, Any]], errors: list[dict[str, Any]], status: int) -> Result:
    now = iso(datetime.now(UTC))
    out: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": now,
        "completedAt": now,
    }
    if errors:
        out |= {"numErrors": len(errors), "errors": errors}
        return 207, out
    return status, out


def _props_list(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    archived = call.flag("archived")
    return 200, {
        "results": [p.to_api() for p in call.store.props[obj].values() if p.archived == archived]
    }


def _prop_get(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    p = call.store.props[obj].get(call.param("name"))
    if p is None or p.archived != call.flag("archived"):
        raise not_found(f"Property {call.param('name')} does not exist")
    return 200, p.to_api()


def _create_one(call: Call, obj: str, body: dict[str, Any]) -> dict[str, Any]:
    store = call.store
    name = str(body.get("name") or "")
    existing = store.props[obj].get(name)
    if existing is not None and not existing.archived:
        raise HubSpotError(
            409, "OBJECT_ALREADY_EXISTS", f"A property named '{name}' already exists."
        )
    if body.get("groupName") and body["groupName"] not in store.groups[obj]:
        raise validation(
            f"Property group {body['groupName']} does not exist",
            code="INVALID_GROUP",
            name="groupName",
        )
    p = property_from_api(body | {"hubspotDefined": False}, now=store.tick())
    store.add_property(obj, p)
    return p.to_api()


def _prop_create(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    return 201, _create_one(call, obj, body_dict(call))


def _prop_update(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    p = call.store.prop(obj, call.param("name"))
    if p is None:
        raise not_found(f"Property {call.param('name')} does not exist")
    if p.hubspot_defined:
        raise validation(
            f"{p.name} is a HubSpot-defined property and cannot be changed",
            code="READ_ONLY_DEFINITION",
            name=p.name,
        )
    new = update_property(p, body_dict(call), call.store.tick())
    call.store.props[obj][p.name] = new
    return 200, new.to_api()


def _prop_archive(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    p = call.store.prop(obj, call.param("name"))
    if p is None:
        raise not_found(f"Property {call.param('name')} does not exist")
    if p.hubspot_defined:
        raise validation(
            f"{p.name} is a HubSpot-defined property and cannot be archived",
            code="READ_ONLY_DEFINITION",
            name=p.name,
        )
    from dataclasses import replace

    call.store.props[obj][p.name] = replace(p, archived=True)
    return 204, None


def _prop_batch_read(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    results, errors = [], []
    for item in body_dict(call).get("inputs") or []:
        p = call.store.props[obj].get(str(item.get("name")))
        if p is None or p.archived != bool(call.body.get("archived", False)):
            errors.append(
                not_found(f"Property {item.get('name')} does not exist").standard(
                    [str(item.get("name"))]
                )
            )
        else:
            results.append(p.to_api())
    return _batch_out(results, errors, 200)


def _prop_batch_create(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    results, errors = [], []
    for item in body_dict(call).get("inputs") or []:
        try:
            results.append(_create_one(call, obj, item))
        except HubSpotError as err:
            errors.append(err.standard([str(item.get("name"))]))
    return _batch_out(results, errors, 201)


def _group_out(g: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": g["name"],
        "label": g["label"],
        "displayOrder": g.get("displayOrder", -1),
        "archived": g.get("archived", False),
    }


def _groups_list(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    return 200, {"results": [_group_out(g) for g in call.store.groups[obj].values()]}


def _group_create(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    body = body_dict(call)
    if not body.get("name") or not body.get("label"):
        raise validation("name and label are required", code="REQUIRED_FIELD", name="name")
    if body["name"] in call.store.groups[obj]:
        raise HubSpotError(
            409, "OBJECT_ALREADY_EXISTS", f"A group named '{body['name']}' already exists."
        )
    g: dict[str, Any] = {
        "name": str(body["name"]),
        "label": str(body["label"]),
        "displayOrder": int(body.get("displayOrder", -1)),
        "archived": False,
    }
    call.store.groups[obj][g["name"]] = g
    return 201, _group_out(g)


def _group_get(call: Call) -> Result:
    obj = object_type(call.param("obj"))
    g = call.store.groups[obj].get(call.param("group"))
    if g is None:
        raise not_found(f"Group {call.param('group')} does not exist")
    return 200, _group_out(g)


def _pipe_type(call: Call) -> None:
    if object_type(call.param("obj")) != "deals":
        raise not_found("Only deal pipelines exist in this sandbox")


def _pipelines(call: Call) -> Result:
    _pipe_type(call)
    return 200, {"results": [p.to_api() for p in call.store.pipelines]}


def _pipeline(call: Call) -> Result:
    _pipe_type(call)
    p = next((p for p in call.store.pipelines if p.id == call.param("pid")), None)
    if p is None:
        raise not_found(f"Unable to find pipeline {call.param('pid')}")
    return 200, p.to_api()


def _stages(call: Call) -> Result:
    status, p = _pipeline(call)
    return status, {"results": p["stages"]}


def _owners(call: Call) -> Result:
    limit = int(call.query("limit") or 100)
    after = int(call.query("after") or 0)
    email = call.query("email")
    owners = sorted(call.store.owners.values(), key=lambda o: o.id)
    owners = [o for o in owners if o.id > after and (not email or o.email.lower() == email.lower())]
    out: dict[str, Any] = {"results": [o.to_api() for o in owners[:limit]]}
    if len(owners) > limit:
        out["paging"] = {"next": {"after": str(owners[limit - 1].id), "link": None}}
    return 200, out


def _owner(call: Call) -> Result:
    try:
        owner = call.store.owners.get(int(call.param("oid")))
    except ValueError:
        owner = None
    if owner is None:
        raise not_found(f"Owner {call.param('oid')} not found")
    return 200, owner.to_api()


def _token(call: Call) -> Result:
    body = call.body if isinstance(call.body, dict) else {}
    grant = body.get("grant_type")
    if grant not in ("refresh_token", "authorization_code") or not body.get("client_id"):
        raise HubSpotError(400, "BAD_REQUEST", "missing or unknown grant_type or client_id")
    if grant == "refresh_token" and not body.get("refresh_token"):
        raise HubSpotError(400, "BAD_REFRESH_TOKEN", "missing or invalid refresh token")
    tokens: Any = call.sb.tokens
    access = tokens.issue("hubspot", ttl_s=1800)
    return 200, {
        "token_type": "bearer",
        "access_token": access,
        "refresh_token": body.get("refresh_token") or secrets.token_hex(16),
        "expires_in": 1800,
    }


def meta_routes(rt: Runtime) -> list[BaseRoute]:
    """Properties, groups, pipelines, owners, OAuth."""

    def r(path: str, fn: Any, method: str, **kw: Any) -> Route:
        return Route(path, endpoint(rt, fn, **kw), methods=[method])

    return [
        r(PROPS + "/batch/read", _prop_batch_read, "POST"),
        r(PROPS + "/batch/create", _prop_batch_create, "POST"),
        r(PROPS + "/groups", _groups_list, "GET"),
        r(PROPS + "/groups", _group_create, "POST"),
        r(PROPS + "/groups/{group}", _group_get, "GET"),
        r(PROPS, _props_list, "GET"),
        r(PROPS, _prop_create, "POST"),
        r(PROPS + "/{name}", _prop_get, "GET"),
        r(PROPS + "/{name}", _prop_update, "PATCH"),
        r(PROPS + "/{name}", _prop_archive, "DELETE"),
        r("/crm/v3/pipelines/{obj}", _pipelines, "GET"),
        r("/crm/v3/pipelines/{obj}/{pid}", _pipeline, "GET"),
        r("/crm/v3/pipelines/{obj}/{pid}/stages", _stages, "GET"),
        r("/crm/v3/owners/", _owners, "GET"),
        r("/crm/v3/owners", _owners, "GET"),
        r("/crm/v3/owners/{oid}", _owner, "GET"),
        r("/oauth/v1/token", _token, "POST", auth=False),
    ]
