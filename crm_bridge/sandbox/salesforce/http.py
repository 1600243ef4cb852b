"""Shared HTTP plumbing of the Salesforce routes: auth, API allocation, error rendering."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .errors import SfApiError
from .store import SalesforceStore

CRM = "salesforce"


class Faults(Protocol):
    """The part of the sandbox's fault injector the Salesforce routes use."""

    def record_failure(
        self, crm: str, method: str, path: str, record_id: str
    ) -> tuple[str, str] | None:
        """(code, message) if this record's write should fail."""


class Tokens(Protocol):
    """The part of the sandbox's token registry the Salesforce routes use."""

    def issue(self, crm: str, ttl_s: float | None = None) -> str:
        """A new bearer token."""

    def valid(self, crm: str, token: str) -> bool:
        """Whether a token is currently accepted."""


class Config(Protocol):
    """Sandbox settings the routes read."""

    @property
    def rate_limits(self) -> bool:
        """Whether API allocations are enforced."""


class SandboxLike(Protocol):
    """What the Salesforce routes need from ``crm_bridge.sandbox.core.Sandbox``."""

    @property
    def salesforce(self) -> SalesforceStore:
        """The Salesforce store."""

    @property
    def faults(self) -> Faults:
        """The fault injector."""

    @property
    def tokens(self) -> Tokens:
        """The token registry."""

    @property
    def config(self) -> Config:
        """Sandbox settings."""

    @property
    def clock(self) -> Callable[[], float]:
        """Monotonic clock (seconds)."""


Handler = Callable[[Request, "SandboxLike"], Awaitable[Response]]


def json_response(body: Any, status: int = 200) -> Response:
    """A compact JSON response."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(data, status_code=status, media_type="application/json;charset=UTF-8")


def error_response(err: SfApiError) -> Response:
    """The Salesforce error list with the error's status."""
    return json_response(err.body(), err.status)


def bearer(request: Request) -> str:
    """The bearer token of a request ('' when absent)."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "oauth") else ""


def api_route(
    sb: SandboxLike, path: str, handler: Handler, methods: list[str], *, both_slashes: bool = True
) -> list[BaseRoute]:
    """Routes for an authenticated, allocation-counted REST endpoint (with and without '/')."""

    async def endpoint(request: Request) -> Response:
        store = sb.salesforce
        now = sb.clock()
        if not sb.tokens.valid(CRM, bearer(request)):
            response = error_response(
                SfApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
            )
        elif not store.api.take(now, sb.config.rate_limits):
            response = error_response(
                SfApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            )
        else:
            try:
                response = await handler(request, sb)
            except SfApiError as err:
                response = error_response(err)
        response.headers["Sforce-Limit-Info"] = store.api.header(now)
        return response

    paths = [path]
    if both_slashes:
        paths.append(path[:-1] if path.endswith("/") else path + "/")
    return [Route(p, endpoint, methods=methods) for p in paths]


async def read_json(request: Request) -> Any:
    """The decoded JSON body (JSON_PARSER_ERROR when malformed)."""
    from .values import parse_json_body

    return parse_json_body(await request.body())


def version_of(request: Request) -> str:
    """The API version segment (e.g. ``v59.0``) of the request path."""
    return str(request.path_params.get("version", "v59.0"))
