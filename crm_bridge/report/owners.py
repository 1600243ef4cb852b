"""Who owns records: owner ids of both CRMs mapped to a name and a team, for grouping KPIs.

Canonical records carry only an ``owner_id`` (a Salesforce User id or a HubSpot owner id). The
report reads the owners once per run:

- Salesforce: ``SELECT Id, Name, Department FROM User`` (the team is the user's department).
- HubSpot: the owners API (``/crm/v3/owners``), the team is the owner's primary team.

Reading owners is best effort: a connection that cannot list its users (missing permission,
or a connector without this capability, such as the in-memory test fakes) leaves its owners
unnamed and the report falls back to the owner id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from crm_bridge.alignment.kpi_inputs import Owner
from crm_bridge.connectors.hubspot import HubSpotConnector
from crm_bridge.connectors.hubspot_api import raw_call
from crm_bridge.connectors.salesforce import SalesforceConnector
from crm_bridge.errors import CrmError

log = logging.getLogger("crm_bridge.report")

USER_SOQL = "SELECT Id, Name, Department FROM User"
PAGE_SIZE = 100


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _more(sf: Any, url: str) -> Callable[[], tuple[Any, None]]:
    return lambda: (sf.query_more(url, identifier_is_url=True), None)


def salesforce_owners(connector: SalesforceConnector) -> Iterator[tuple[str, Owner]]:
    """Every Salesforce user as ``(id, Owner(name, department))``, page by page."""
    sf = connector.sf
    page: Any = connector.caller.call("query", lambda: (sf.query(USER_SOQL), None), "User")
    while True:
        for row in page.get("records", []):
            yield str(row["Id"]), Owner(_text(row.get("Name")), _text(row.get("Department")))
        next_url = page.get("nextRecordsUrl")
        if page.get("done", True) or not next_url:
            return
        page = connector.caller.call("query", _more(sf, str(next_url)), "User")


def hubspot_owners(connector: HubSpotConnector) -> Iterator[tuple[str, Owner]]:
    """Every HubSpot owner as ``(id, Owner(first + last name, primary team))``, page by page."""
    api = connector.apis.client.crm.owners.owners_api
    after: str | None = None
    while True:
        kwargs: dict[str, Any] = {"limit": PAGE_SIZE}
        if after:
            kwargs["after"] = after
        page = raw_call(connector.caller, "owners", api.get_page, **kwargs)
        for raw in page.get("results", []):
            name = " ".join(p for p in (raw.get("firstName"), raw.get("lastName")) if p)
            teams = raw.get("teams") or []
            primary = next((t for t in teams if t.get("primary")), teams[0] if teams else None)
            team = _text(primary.get("name")) if primary else None
            yield str(raw["id"]), Owner(_text(name) or _text(raw.get("email")), team)
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            return


def read_owners(connectors: Iterable[object]) -> dict[str, Owner]:
    """Owner id → name and team, from every connector that can list its owners."""
    out: dict[str, Owner] = {}
    for connector in connectors:
        try:
            if isinstance(connector, SalesforceConnector):
                out.update(salesforce_owners(connector))
            elif isinstance(connector, HubSpotConnector):
                out.update(hubspot_owners(connector))
        except CrmError as exc:
            log.warning("cannot list the owners of %s: %s", getattr(connector, "name", "?"), exc)
    return out
