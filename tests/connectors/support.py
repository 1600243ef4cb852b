"""Helpers for connector tests on the HTTPS sandbox: connectors whose retries never sleep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from crm_bridge.connectors.factory import sandbox_connectors
from crm_bridge.connectors.hubspot import HubSpotConnector
from crm_bridge.connectors.retry import RetryPolicy
from crm_bridge.connectors.salesforce import SalesforceConnector


class FakeTime:
    """A manual clock; ``sleep`` advances it and records the waits."""

    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def connectors(
    server: Any, time: FakeTime | None = None
) -> tuple[SalesforceConnector, HubSpotConnector]:
    """Both connectors, unpaced, retrying on a fake clock (rate limits of the sandbox off)."""
    fake = time or FakeTime()
    server.sandbox.config.rate_limits = False
    built = sandbox_connectors(
        server, retry=RetryPolicy(sleep=fake.sleep, clock=fake.clock), paced=False
    )
    sf, hs = built["salesforce"], built["hubspot"]
    assert isinstance(sf, SalesforceConnector) and isinstance(hs, HubSpotConnector)
    OPEN.extend([sf, hs])
    return sf, hs


#: connectors opened by the current test (closed by the autouse fixture in conftest)
OPEN: list[SalesforceConnector | HubSpotConnector] = []


def seed_hubspot(
    server: Any, obj: str, n: int, start: datetime | None = None, step_ms: int = 1
) -> list[str]:
    """``n`` HubSpot records modified ``step_ms`` apart from ``start``; returns their ids."""
    base = start or datetime(2024, 1, 1, tzinfo=UTC)
    store = server.sandbox.hubspot
    ids = []
    for i in range(n):
        stamp = base + timedelta(milliseconds=i * step_ms)
        props = {"email": f"p{i}@ex.com"} if obj == "contacts" else {"name": f"c{i}"}
        ids.append(str(store.insert_raw(obj, props, stamp, stamp).id))
    return ids


def seed_leads(server: Any, n: int, stamp: str | None = None) -> list[str]:
    """``n`` Salesforce leads (unvalidated insert)."""
    store = server.sandbox.salesforce
    return [
        store.insert(
            "Lead",
            {"LastName": f"T{i:05d}", "Company": "TCo", "Email": f"t{i}@tco.example"},
            validate=False,
            stamp=stamp,
        )
        for i in range(n)
    ]
