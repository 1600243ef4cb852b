"""The sandbox's ASGI app: both CRMs' routes, the admin API, and the core middleware.

The middleware (outermost, plain ASGI) for every request to a CRM path: adds
``sb.config.latency_ms``, applies a request-level fault from ``sb.faults.take`` (rendered in
that CRM's real error shape), counts the call in ``sb.calls`` with its final status, and marks
the sandbox dirty after writes (for periodic saving). Admin paths (``/_sandbox/``) are neither
delayed, faulted nor counted. Authentication is left to each CRM's routes.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_bridge.sandbox.admin import admin_routes
from crm_bridge.sandbox.core import Sandbox
from crm_bridge.sandbox.faults import Fault
from crm_bridge.sandbox.hubspot.routes import routes as hubspot_routes
from crm_bridge.sandbox.salesforce.routes import routes as salesforce_routes

SALESFORCE_PREFIXES = ("/services/",)
HUBSPOT_PREFIXES = ("/crm/", "/oauth/", "/integrations/")
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def crm_of(path: str) -> str | None:
    """``"salesforce"``, ``"hubspot"`` or None (admin or unknown paths)."""
    if path.startswith(SALESFORCE_PREFIXES):
        return "salesforce"
    if path.startswith(HUBSPOT_PREFIXES):
        return "hubspot"
    return None


def fault_response(crm: str, fault: Fault) -> tuple[int, dict[str, str], Any]:
    """(status, headers, JSON body) of a request-level fault in the CRM's real shape."""
    if crm == "salesforce":
        status, code, message = _SF_DEFAULTS[fault.kind]
        body: Any = [
            {
                "message": fault.message or message,
                "errorCode": fault.code or code,
                "fields": [],
            }
        ]
        return fault.status or status, {}, body
    status, category, message = _HS_DEFAULTS[fault.kind]
    correlation = str(uuid.uuid4())
    body = {
        "status": "error",
        "message": fault.message or message,
        "correlationId": correlation,
        "category": fault.code or category,
    }
    if fault.kind == "rate_limit":
        body = {
            "status": "error",
            "message": fault.message or message,
            "errorType": "RATE_LIMIT",
            "correlationId": correlation,
            "policyName": fault.code or "TEN_SECONDLY_ROLLING",
            "requestId": str(uuid.uuid4()),
        }
    return fault.status or status, {"X-HubSpot-Correlation-Id": correlation}, body


_SF_DEFAULTS: dict[str, tuple[int, str, str]] = {
    "rate_limit": (403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    "server_error": (
        500,
        "UNKNOWN_EXCEPTION",
        "An unexpected error occurred. Please include this ErrorId if you contact support.",
    ),
    "expired_session": (401, "INVALID_SESSION_ID", "Session expired or invalid"),
    "lock_error": (
        400,
        "UNABLE_TO_LOCK_ROW",
        "unable to obtain exclusive access to this record or 1 records",
    ),
}
_HS_DEFAULTS: dict[str, tuple[int, str, str]] = {
    "rate_limit": (429, "RATE_LIMIT", "You have reached your ten_secondly_rolling limit."),
    "server_error": (500, "INTERNAL_ERROR", "internal error"),
    "expired_session": (
        401,
        "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication.",
    ),
    "lock_error": (423, "LOCKED", "The resource is locked; try again in a couple of seconds."),
}


class CoreMiddleware:
    """Latency, request-level faults, call counting and dirty marking (see module doc)."""

    def __init__(self, app: ASGIApp, sb: Sandbox) -> None:
        self.app = app
        self.sb = sb

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        method: str = scope["method"]
        crm = crm_of(path)
        if crm is None:
            await self.app(scope, receive, send)
            return
        sb = self.sb
        if sb.config.latency_ms > 0:
            await asyncio.sleep(sb.config.latency_ms / 1000.0)
        fault = sb.faults.take(crm, method, path)
        if fault is not None and fault.kind in ("timeout", "slow"):
            default = 0.0 if fault.kind == "timeout" else 1.0
            await asyncio.sleep(fault.delay_s if fault.delay_s is not None else default)
            if fault.kind == "timeout":
                sb.calls.record(crm, method, path, 0)
                await _drop(send)
                return
            fault = None
        if fault is not None:
            status, headers, body = fault_response(crm, fault)
            sb.calls.record(crm, method, path, status)
            await _send_json(send, status, headers, body)
            return
        counted = False

        async def counting_send(message: Message) -> None:
            # Count (and mark dirty) before the client can see the response, so a test
            # reading the counters right after its call always finds it.
            nonlocal counted
            if message["type"] == "http.response.start" and not counted:
                counted = True
                sb.calls.record(crm, method, path, int(message["status"]))
                if method in WRITE_METHODS:
                    sb.dirty = True
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            if not counted:  # the app failed before responding; uvicorn answers 500
                sb.calls.record(crm, method, path, 500)


async def _send_json(send: Send, status: int, headers: dict[str, str], body: Any) -> None:
    data = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json;charset=UTF-8")]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-length", str(len(data)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


async def _drop(send: Send) -> None:
    """Close the connection without a response (what a client sees as a dropped request)."""
    cycle: Any = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None:
        transport.close()
        if hasattr(cycle, "disconnected"):
            cycle.disconnected = True  # uvicorn: don't complain that no response started
        return
    # Not served by uvicorn directly: start a response and break it off mid-body.
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]}
    )
    raise ConnectionAbortedError("sandbox timeout fault: connection dropped")


def build_app(sb: Sandbox) -> ASGIApp:
    """The full sandbox ASGI app for ``sb``: Salesforce, HubSpot and admin routes."""
    routes = [*salesforce_routes(sb), *hubspot_routes(sb), *admin_routes(sb)]
    return CoreMiddleware(Starlette(routes=routes), sb)
