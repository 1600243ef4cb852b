"""Cached HubSpot SDK API objects and a raw-JSON call helper.

Each ``client.crm.contacts.basic_api`` access builds a new ApiClient, so the API objects are
built once here. Calls pass ``_preload_content=False`` and parse the JSON body directly: the
SDK still raises its ``ApiException`` on errors (translated by :mod:`.errors`), but large pages
skip the slow model deserialization.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from hubspot import HubSpot

from crm_bridge.connectors.calls import Caller

Json = dict[str, Any]


class HubSpotApis:
    """The SDK API objects crm-bridge uses, built once per connector."""

    def __init__(self, client: HubSpot) -> None:
        self.client = client
        self._cache: dict[tuple[str, str], Any] = {}

    def objects(self, object_type: str, kind: str) -> Any:
        """``basic_api`` / ``batch_api`` / ``search_api`` of contacts, companies or deals."""
        key = (object_type, kind)
        if key not in self._cache:
            self._cache[key] = getattr(getattr(self.client.crm, object_type), kind)
        return self._cache[key]

    def properties(self, kind: str) -> Any:
        """``core_api`` / ``groups_api`` of the properties API."""
        key = ("properties", kind)
        if key not in self._cache:
            self._cache[key] = getattr(self.client.crm.properties, kind)
        return self._cache[key]

    def associations(self) -> Any:
        """Associations v4 ``batch_api``."""
        key = ("associations", "batch_api")
        if key not in self._cache:
            self._cache[key] = self.client.crm.associations.v4.batch_api
        return self._cache[key]

    def close(self) -> None:
        """Drop idle connections of every cached API client."""
        for api in self._cache.values():
            api.api_client.rest_client.pool_manager.clear()

    def set_token(self, token: str) -> None:
        """Use a new access token in every cached API client."""
        self.client.access_token = token
        for api in self._cache.values():
            api.api_client.configuration.access_token = token


def raw_call(
    caller: Caller,
    endpoint: str,
    method: Callable[..., Any],
    *args: Any,
    object_type: str | None = None,
    **kwargs: Any,
) -> Json:
    """Call an SDK method returning the parsed JSON body ({} on 204)."""

    def run() -> tuple[Json, Mapping[str, str] | None]:
        response = method(*args, _preload_content=False, **kwargs)
        data = response.data
        body: Json = json.loads(data) if data else {}
        return body, response.headers

    return caller.call(endpoint, run, object_type)
