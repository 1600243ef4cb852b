"""Helpers for HubSpot connector tests: a connector on the test server with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hubspot import HubSpot

from crm_bridge.connectors.hubspot import HubSpotConnector
from crm_bridge.connectors.ratelimit import RateLimiter
from crm_bridge.connectors.retry import RetryPolicy, no_urllib3_retries
from tests.sandbox.hubspot_env import TOKEN, Env


class FakeTime:
    """A clock shared by the sandbox rate limiter, the retry policy and the buckets."""

    def __init__(self, env: Env) -> None:
        self.env = env
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.env.clock.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.env.clock.t += seconds


def connector(
    env: Env, *, limiter: RateLimiter | None = None, time: FakeTime | None = None
) -> HubSpotConnector:
    """A connector whose retries sleep on the fake clock."""
    fake = time or FakeTime(env)
    client = HubSpot(access_token=TOKEN, host=env.host, retry=no_urllib3_retries())
    policy = RetryPolicy(sleep=fake.sleep, clock=fake.clock)
    return HubSpotConnector(client, "hs", retry=policy, limiter=limiter)


def seed(env: Env, obj: str, n: int, start: datetime | None = None, step_ms: int = 1) -> list[str]:
    """``n`` records modified ``step_ms`` apart from ``start``; returns their ids."""
    base = start or datetime(2024, 1, 1, tzinfo=UTC)
    ids = []
    for i in range(n):
        stamp = base + timedelta(milliseconds=i * step_ms)
        props = {"email": f"p{i}@ex.com"} if obj == "contacts" else {"name": f"c{i}"}
        rec = env.hubspot.insert_raw(obj, props, stamp, stamp)
        ids.append(str(rec.id))
    return ids
