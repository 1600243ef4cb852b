"""Admin API under ``/_sandbox/`` (localhost only, no auth): health, calls, faults, reset, save.

- ``GET  /_sandbox/health``        → ``{"status": "ok", "config": {...}, "calls": n}``
- ``GET  /_sandbox/calls``         → `CallCounter.snapshot`
- ``POST /_sandbox/calls/reset``   → 204
- ``GET  /_sandbox/faults``        → ``{"faults": [...]}``
- ``POST /_sandbox/faults``        body ``{"kind": ..., "crm": ..., "endpoint": ..., "count": ...,
  "rate": ..., "status": ..., "code": ..., "message": ..., "delay_s": ..., "record_ids": [...]}``
  → 201 ``{"id": n}`` (400 ``{"error": ...}`` on bad input)
- ``DELETE /_sandbox/faults``      → 204 (clear all); ``DELETE /_sandbox/faults/{id}`` → 204/404
- ``POST /_sandbox/tokens/expire`` body ``{"crm": ...}`` → 204
- ``POST /_sandbox/reset``         → 204 (seeded data, no faults, zero counters)
- ``POST /_sandbox/save``          → ``{"path": ...}`` (null without a data dir)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

if TYPE_CHECKING:
    from crm_bridge.sandbox.core import Sandbox

FAULT_FIELDS = frozenset(
    {"crm", "endpoint", "count", "rate", "status", "code", "message", "delay_s", "record_ids"}
)


def admin_routes(sb: Sandbox) -> list[BaseRoute]:
    """The ``/_sandbox/`` routes bound to ``sb``."""

    async def health(request: Request) -> Response:
        return JSONResponse(sb.describe())

    async def calls(request: Request) -> Response:
        return JSONResponse(sb.calls.snapshot())

    async def calls_reset(request: Request) -> Response:
        sb.calls.reset()
        return Response(status_code=204)

    async def faults_list(request: Request) -> Response:
        return JSONResponse({"faults": [f.to_json() for f in sb.faults.list()]})

    async def faults_add(request: Request) -> Response:
        try:
            body: Any = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict) or "kind" not in body or "crm" not in body:
                raise ValueError("body must be an object with at least 'kind' and 'crm'")
            unknown = set(body) - FAULT_FIELDS - {"kind"}
            if unknown:
                raise ValueError(f"unknown fields: {sorted(unknown)}")
            kwargs = {k: v for k, v in body.items() if k != "kind"}
            fid = sb.faults.add(str(body["kind"]), **kwargs)
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"id": fid}, status_code=201)

    async def faults_clear(request: Request) -> Response:
        sb.faults.clear()
        return Response(status_code=204)

    async def fault_remove(request: Request) -> Response:
        removed = sb.faults.remove(int(request.path_params["fault_id"]))
        return Response(status_code=204 if removed else 404)

    async def tokens_expire(request: Request) -> Response:
        body: Any = json.loads(await request.body() or b"{}")
        crm = body.get("crm") if isinstance(body, dict) else None
        if crm not in ("salesforce", "hubspot"):
            return JSONResponse({"error": "crm must be salesforce or hubspot"}, status_code=400)
        sb.tokens.expire(crm)
        return Response(status_code=204)

    async def reset(request: Request) -> Response:
        sb.reset()
        return Response(status_code=204)

    async def save(request: Request) -> Response:
        path = sb.save()
        return JSONResponse({"path": str(path) if path else None})

    return [
        Route("/_sandbox/health", health, methods=["GET"]),
        Route("/_sandbox/calls", calls, methods=["GET"]),
        Route("/_sandbox/calls/reset", calls_reset, methods=["POST"]),
        Route("/_sandbox/faults", faults_list, methods=["GET"]),
        Route("/_sandbox/faults", faults_add, methods=["POST"]),
        Route("/_sandbox/faults", faults_clear, methods=["DELETE"]),
        Route("/_sandbox/faults/{fault_id:int}", fault_remove, methods=["DELETE"]),
        Route("/_sandbox/tokens/expire", tokens_expire, methods=["POST"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/save", save, methods=["POST"]),
    ]
