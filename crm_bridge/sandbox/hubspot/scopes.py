"""OAuth scopes a request needs, and the 403 MISSING_SCOPES error when a token lacks them.

Tokens have no scope restriction unless one is registered in `HubSpotStore.token_scopes`
(token -> granted scopes), as for a private app created with a limited scope list.
"""

from __future__ import annotations

from .errors import HubSpotError
from .properties import OBJECT_TYPE_IDS

_READ_POSTS = ("/search", "/batch/read")


def _obj(segment: str) -> str:
    return OBJECT_TYPE_IDS.get(segment, segment)


def required_scopes(method: str, path: str) -> list[str]:
    """The scopes a HubSpot request needs (empty when none are checked)."""
    parts = [p for p in path.split("/") if p]
    reading = method == "GET" or (method == "POST" and path.endswith(_READ_POSTS))
    mode = "read" if reading else "write"
    if parts[:3] == ["crm", "v3", "objects"] and len(parts) > 3:
        return [f"crm.objects.{_obj(parts[3])}.{mode}"]
    if parts[:3] == ["crm", "v3", "properties"] and len(parts) > 3:
        obj = _obj(parts[3])
        return [f"crm.objects.{obj}.read"] if reading else [f"crm.schemas.{obj}.write"]
    if parts[:3] == ["crm", "v3", "owners"]:
        return ["crm.objects.owners.read"]
    if parts[:3] == ["crm", "v4", "associations"] and len(parts) > 4:
        return [f"crm.objects.{_obj(parts[3])}.{mode}", f"crm.objects.{_obj(parts[4])}.{mode}"]
    if parts[:3] == ["crm", "v4", "objects"] and len(parts) > 5:
        return [
            f"crm.objects.{_obj(parts[3])}.{mode}",
            f"crm.objects.{_obj(parts[-1] if parts[-2] == 'associations' else parts[-2])}.{mode}",
        ]
    return []


def missing_scopes(granted: frozenset[str], method: str, path: str) -> HubSpotError | None:
    """A 403 MISSING_SCOPES error when ``granted`` lacks a required scope."""
    missing = [s for s in required_scopes(method, path) if s not in granted]
    if not missing:
        return None
    return HubSpotError(
        403,
        "MISSING_SCOPES",
        "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        [
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": missing},
            }
        ],
    )
