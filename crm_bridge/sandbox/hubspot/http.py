"""Request plumbing shared by the HubSpot routes: auth, rate limits, error rendering, JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from .errors import HubSpotError, correlation_id
from .ratelimit import RateLimiter
from .scopes import missing_scopes
from .search import SearchEngine
from .store import HubSpotStore

Result = tuple[int, Any]
Handler = Callable[["Call"], Result]


class _Tokens(Protocol):
    def valid(self, crm: str, token: str) -> bool: ...


class _Faults(Protocol):
    def record_failure(
        self, crm: str, method: str, path: str, record_id: str
    ) -> tuple[str, str] | None: ...


class SandboxLike(Protocol):
    """What the HubSpot routes need from the core `Sandbox`."""

    @property
    def hubspot(self) -> HubSpotStore: ...
    @property
    def tokens(self) -> _Tokens: ...
    @property
    def faults(self) -> _Faults: ...


@dataclass
class Call:
    """One parsed request handed to a handler."""

    request: Request
    body: Any
    store: HubSpotStore
    engine: SearchEngine
    sb: SandboxLike

    def param(self, name: str) -> str:
        """A path parameter."""
        return str(self.request.path_params[name])

    def query(self, name: str, default: str | None = None) -> str | None:
        """A query parameter."""
        return self.request.query_params.get(name, default)

    def query_list(self, name: str) -> list[str]:
        """A repeated (or comma-separated) query parameter."""
        return [p for v in self.request.query_params.getlist(name) for p in v.split(",") if p]

    def flag(self, name: str) -> bool:
        """A boolean query parameter (`true`/`True`)."""
        return (self.query(name) or "").lower() == "true"

    def record_failure(self, record_id: str) -> HubSpotError | None:
        """An injected per-record failure for this request, as an error."""
        hit = self.sb.faults.record_failure(
            "hubspot", self.request.method, self.request.url.path, record_id
        )
        if hit is None:
            return None
        code, message = hit
        return HubSpotError(
            400,
            code if code.isupper() else "VALIDATION_ERROR",
            message,
            context={"ids": [record_id]},
        )


class Runtime:
    """Per-store state of the routes: the rate limiter and the search cache."""

    def __init__(self, sb: SandboxLike) -> None:
        self.sb = sb
        self._store: HubSpotStore | None = None
        self._epoch = -1
        self.engine = SearchEngine(sb.hubspot)
        self.limiter = RateLimiter(time.monotonic)

    def refresh(self) -> None:
        """Rebuild the search cache and limits when the store was replaced or reloaded."""
        store = self.sb.hubspot
        clock: Callable[[], float] = getattr(self.sb, "clock", None) or time.monotonic
        config = getattr(self.sb, "config", None)
        tier = int(getattr(config, "hubspot_tier", 100) or 100)
        if store is not self._store or store.epoch != self._epoch:
            self._store, self._epoch = store, store.epoch
            self.engine = SearchEngine(store)
            self.limiter = RateLimiter(clock)
        self.limiter.clock = clock
        self.limiter.burst = tier
        self.limiter.daily = store.settings.daily_limit or (650_000 if tier >= 190 else 250_000)
        self.limiter.search_per_second = store.settings.search_per_second

    def rate_limits_on(self) -> bool:
        """`sb.config.rate_limits` (default on)."""
        return bool(getattr(getattr(self.sb, "config", None), "rate_limits", True))


def _json(status: int, payload: Any, headers: dict[str, str]) -> Response:
    if status == 204 or payload is None:
        return Response(status_code=status, headers=headers)
    return Response(
        json.dumps(payload),
        status_code=status,
        headers=headers,
        media_type="application/json;charset=utf-8",
    )


async def _parse(request: Request) -> Any:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode()))
    return json.loads(raw) if raw else None


def endpoint(
    rt: Runtime, fn: Handler, *, search: bool = False, auth: bool = True
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler with bearer auth, rate limits, body parsing and HubSpot error rendering."""

    async def handle(request: Request) -> Response:
        corr = correlation_id()
        headers = {"X-HubSpot-Correlation-Id": corr}
        rt.refresh()
        if auth:
            header = request.headers.get("authorization", "")
            token = header[7:].strip() if header.lower().startswith("bearer ") else ""
            if not token or not rt.sb.tokens.valid("hubspot", token):
                err = HubSpotError(
                    401,
                    "INVALID_AUTHENTICATION",
                    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                )
                return _json(401, err.body(corr), headers)
            granted = rt.sb.hubspot.token_scopes.get(token)
            if granted is not None:
                denied = missing_scopes(granted, request.method, request.url.path)
                if denied is not None:
                    return _json(403, denied.body(corr), headers)
            if rt.rate_limits_on():
                verdict = rt.limiter.check(token, search=search)
                headers.update(verdict.headers)
                if verdict.refusal is not None:
                    body = verdict.refusal | {"correlationId": corr, "requestId": corr}
                    return _json(429, body, headers)
        try:
            parsed = await _parse(request)
        except ValueError:
            return _json(
                400,
                HubSpotError(400, "VALIDATION_ERROR", "Invalid input JSON on line 1").body(corr),
                headers,
            )
        try:
            status, payload = fn(Call(request, parsed, rt.sb.hubspot, rt.engine, rt.sb))
        except HubSpotError as err:
            status, payload = err.status, err.body(corr)
        return _json(status, payload, headers)

    return handle


def body_dict(call: Call) -> dict[str, Any]:
    """The JSON body as an object, or 400."""
    if not isinstance(call.body, dict):
        raise HubSpotError(400, "VALIDATION_ERROR", "Invalid input JSON: expected an object")
    return call.body
