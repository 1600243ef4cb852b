"""OAuth token endpoint, API versions, resources and ``limits/``."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .http import CRM, SandboxLike, api_route, json_response, version_of
from .limits import limits_body

ORG_ID = "00D8d0000000001EAA"
GRANTS = {
    "password": ("client_id", "username", "password"),
    "client_credentials": ("client_id", "client_secret"),
    "refresh_token": ("client_id", "refresh_token"),
    "urn:ietf:params:oauth:grant-type:jwt-bearer": ("assertion",),
}


def _oauth_error(error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, 400)


def _jwt_ok(assertion: str) -> bool:
    parts = assertion.split(".")
    if len(parts) != 3:
        return False
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return False
    return isinstance(payload, dict) and bool(payload.get("iss")) and bool(payload.get("sub"))


def token_endpoint(sb: SandboxLike) -> Route:
    """``POST /services/oauth2/token`` for the password, client-credentials, refresh-token and
    JWT-bearer grants; any well-formed request gets a fresh sandbox token."""

    async def token(request: Request) -> Response:
        raw = (await request.body()).decode("utf-8", "replace")
        form = {k: v[0] for k, v in parse_qs(raw or request.url.query).items()}
        grant = form.get("grant_type", "")
        if grant not in GRANTS:
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        fields = {k: form.get(k, "") for k in GRANTS[grant]}
        if "client_id" in fields and not fields["client_id"]:
            return _oauth_error("invalid_client_id", "client identifier invalid")
        if not all(fields.values()) or (
            grant.endswith("jwt-bearer") and not _jwt_ok(fields["assertion"])
        ):
            return _oauth_error("invalid_grant", "authentication failure")
        access = sb.tokens.issue(CRM)
        instance = f"{request.url.scheme}://{request.url.netloc}"
        user_id = sb.salesforce.api_user_id
        issued = str(int(time.time() * 1000))
        identity = f"{instance}/id/{ORG_ID}/{user_id}"
        signature = base64.b64encode(
            hmac.new(access.encode(), (identity + issued).encode(), hashlib.sha256).digest()
        )
        body = {
            "access_token": access,
            "instance_url": instance,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued,
            "signature": signature.decode(),
            "scope": "api refresh_token",
        }
        if grant == "password":
            body["refresh_token"] = f"5Aep{hashlib.sha256(access.encode()).hexdigest()[:60]}"
        return json_response(body)

    return Route("/services/oauth2/token", token, methods=["POST"])


async def versions(request: Request) -> Response:
    """``GET /services/data/`` (no auth needed, like the real one)."""
    return json_response(
        [
            {"label": "Winter '23", "url": "/services/data/v56.0", "version": "56.0"},
            {"label": "Spring '23", "url": "/services/data/v57.0", "version": "57.0"},
            {"label": "Summer '23", "url": "/services/data/v58.0", "version": "58.0"},
            {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"},
        ]
    )


async def resources(request: Request, sb: SandboxLike) -> Response:
    """``GET /services/data/v59.0/``."""
    base = f"/services/data/{version_of(request)}"
    names = ("sobjects", "query", "queryAll", "limits", "composite", "tooling")
    return json_response({n: f"{base}/{n}" for n in names})


async def limits(request: Request, sb: SandboxLike) -> Response:
    """``GET limits/``."""
    return json_response(limits_body(sb.salesforce.api, sb.clock()))


def routes(sb: SandboxLike) -> list[BaseRoute]:
    """Auth and org-level routes."""
    out: list[BaseRoute] = [
        token_endpoint(sb),
        Route("/services/data", versions),
        Route("/services/data/", versions),
    ]
    out += api_route(sb, "/services/data/{version}/", resources, ["GET"])
    out += api_route(sb, "/services/data/{version}/limits/", limits, ["GET"])
    return out
