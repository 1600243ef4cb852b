"""All Salesforce REST routes of the sandbox, mounted by ``crm_bridge.sandbox.app``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from . import routes_auth, routes_composite, routes_query, routes_sobjects, routes_tooling
from .errors import not_found
from .http import api_route

if TYPE_CHECKING:
    from .http import SandboxLike


def routes(sb: SandboxLike) -> list[BaseRoute]:
    """Starlette routes (absolute paths) serving the Salesforce REST API from ``sb``."""
    return [
        *routes_auth.routes(sb),
        *routes_query.routes(sb),
        *routes_tooling.routes(sb),
        *routes_composite.routes(sb),
        *routes_sobjects.routes(sb),
        *api_route(
            sb,
            "/services/data/{version}/{rest:path}",
            _unknown,
            ["GET", "POST", "PATCH", "PUT", "DELETE"],
            both_slashes=False,
        ),
    ]


async def _unknown(request: Request, sb: SandboxLike) -> Response:
    """Any other REST path: the real 404 NOT_FOUND body."""
    raise not_found()
