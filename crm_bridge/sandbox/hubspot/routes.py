"""All HubSpot routes of the sandbox: `routes(sb)` for the core app to mount."""

from __future__ import annotations

from starlette.routing import BaseRoute

from .batch import batch_routes
from .http import Runtime, SandboxLike
from .routes_assoc import assoc_routes
from .routes_meta import meta_routes
from .routes_objects import object_routes


def routes(sb: SandboxLike) -> list[BaseRoute]:
    """Routes under `/crm/...` and `/oauth/...` serving the HubSpot store `sb.hubspot`."""
    rt = Runtime(sb)
    return [*batch_routes(rt), *object_routes(rt), *meta_routes(rt), *assoc_routes(rt)]
