"""Retry policy and rate limiter on injected clocks (nothing sleeps)."""

from __future__ import annotations

import random

import pytest

from crm_bridge.connectors.ratelimit import (
    TokenBucket,
    hubspot_limiter,
    salesforce_limiter,
)
from crm_bridge.connectors.retry import RetryPolicy, no_urllib3_retries
from crm_bridge.errors import (
    ConnectivityError,
    CrmError,
    QuotaExhausted,
    RateLimited,
    RetriableError,
)
from crm_bridge.sandbox.hubspot.ratelimit import RateLimiter as ServerLimiter
from tests.connectors.support import FakeTime


def _policy(t: FakeTime, **kw: float) -> RetryPolicy:
    return RetryPolicy(sleep=t.sleep, clock=t.clock, rng=random.Random(1), **kw)  # type: ignore[arg-type]


def _failing(errors: list[Exception]) -> tuple[list[int], object]:
    calls = [0]

    def fn() -> str:
        calls[0] += 1
        if errors:
            raise errors.pop(0)
        return "ok"

    return calls, fn


def test_retry_after_is_honoured() -> None:
    t = FakeTime()
    calls, fn = _failing([RateLimited("x", retry_after=7.0), RetriableError("y")])
    assert _policy(t).call(fn) == "ok"  # type: ignore[arg-type]
    assert calls[0] == 3
    assert 7.0 <= t.slept[0] <= 7.0 * 1.05
    assert 0.75 <= t.slept[1] <= 1.0  # second attempt: 0.5 s x 2, jittered down


def test_backoff_grows_and_is_jittered() -> None:
    t = FakeTime()
    calls, fn = _failing([RetriableError("e") for _ in range(5)])
    _policy(t, base_s=1.0, max_wait_s=100.0).call(fn)  # type: ignore[arg-type]
    assert calls[0] == 6
    for n, wait in enumerate(t.slept):
        assert 0.75 * 2**n <= wait <= 2**n
    assert len(set(t.slept)) == len(t.slept)


def test_deadline_stops_retrying_and_reraises() -> None:
    t = FakeTime()
    calls, fn = _failing([RetriableError("e", code="X") for _ in range(50)])
    with pytest.raises(RetriableError):
        _policy(t, deadline_s=10.0, base_s=1.0, max_attempts=100).call(fn)  # type: ignore[arg-type]
    assert t.t <= 10.0
    assert 3 <= calls[0] < 10


def test_non_retriable_errors_are_raised_at_once() -> None:
    t = FakeTime()
    calls, fn = _failing([QuotaExhausted("q"), CrmError("c")])
    with pytest.raises(QuotaExhausted):
        _policy(t).call(fn)  # type: ignore[arg-type]
    assert calls[0] == 1 and t.slept == []


def test_connection_errors_outliving_the_deadline_become_connectivity_errors() -> None:
    t = FakeTime()
    calls, fn = _failing([RetriableError("down", code="CONNECTION_ERROR") for _ in range(20)])
    with pytest.raises(ConnectivityError):
        _policy(t, max_attempts=3).call(fn)  # type: ignore[arg-type]
    assert calls[0] == 3


def test_urllib3_retries_are_off() -> None:
    retry = no_urllib3_retries()
    assert retry.total == 0 and retry.raise_on_status is False
    assert not retry.is_retry("POST", 429) or retry.total == 0


def test_token_bucket_paces_to_its_rate() -> None:
    t = FakeTime()
    bucket = TokenBucket(rate=10.0, capacity=5.0, clock=t.clock, sleep=t.sleep)
    for _ in range(105):
        bucket.acquire()
    assert t.t == pytest.approx(10.0, rel=0.01)  # 5 burst + 100 at 10/s


@pytest.mark.parametrize("burst", [100, 190])
def test_hubspot_limiter_never_trips_a_rolling_window_and_uses_90_percent(burst: int) -> None:
    t = FakeTime()
    server = ServerLimiter(clock=t.clock, burst=burst, daily=10**9)
    limiter = hubspot_limiter(burst_max=burst, clock=t.clock, sleep=t.sleep)
    refused = 0
    calls = 3_000
    for n in range(calls):
        limiter.acquire("search" if n % 10 == 0 else "general")
        verdict = server.check("tok", search=n % 10 == 0)
        refused += verdict.refusal is not None
        limiter.observe(verdict.headers)
        t.t += 0.002  # request latency
    assert refused == 0
    allowed = burst / 10.0 * t.t
    assert calls / allowed >= 0.9


def test_hubspot_limiter_corrects_itself_from_headers() -> None:
    t = FakeTime()
    limiter = hubspot_limiter(burst_max=190, clock=t.clock, sleep=t.sleep)
    limiter.observe(
        {
            "X-HubSpot-RateLimit-Max": "100",
            "X-HubSpot-RateLimit-Remaining": "0",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        }
    )
    general = limiter.buckets["general"]
    assert general.rate < 10.0
    waited = limiter.acquire("general")
    assert waited > 0.0


def test_salesforce_daily_share_stops_before_the_allocation() -> None:
    limiter = salesforce_limiter(daily_share=0.5)
    limiter.observe({"Sforce-Limit-Info": "api-usage=40/100"})
    limiter.acquire("query")
    limiter.observe({"Sforce-Limit-Info": "api-usage=50/100"})
    with pytest.raises(QuotaExhausted):
        limiter.acquire("query")
