"""Client-side pacing: token buckets per CRM account and endpoint class.

A run paces itself *below* the CRM's limit instead of bouncing off 429s:

* HubSpot: a ``general`` bucket for the rolling burst limit (e.g. 100 per 10 s) and a ``search``
  bucket (5/s); a search call takes a token from both. Buckets are sized so that in *any*
  window of the limit's interval at most ``safety`` x max calls are sent (capacity + rate x
  interval <= safety x max), which keeps a rolling-window server from ever refusing.
* Salesforce: the daily allocation (``Sforce-Limit-Info: api-usage=N/M``): calls stop with
  :class:`~crm_bridge.errors.QuotaExhausted` once this connection's share of the allocation is
  used; plus an optional requests-per-second bucket.

Buckets are corrected by the limit headers the CRM returns. Clock and sleep are injectable.
Limiters are shared per account through :func:`shared_limiter` (keyed by CRM + account).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from crm_bridge.errors import QuotaExhausted

_SF_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


_EPSILON = 1e-6


class TokenBucket:
    """``capacity`` tokens refilled at ``rate`` per second; :meth:`acquire` waits for one."""

    def __init__(
        self,
        rate: float,
        capacity: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = max(1.0, capacity)
        self.clock = clock
        self.sleep = sleep
        self.tokens = self.capacity
        self.stamp = clock()
        self.waited = 0.0
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self.clock()
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def acquire(self, cost: float = 1.0) -> float:
        """Take ``cost`` tokens, sleeping until they are available; returns seconds waited."""
        waited = 0.0
        with self._lock:
            while True:
                self._refill()
                # tolerance: after sleeping exactly ``need`` float rounding can leave
                # 0.9999999 tokens, and a clock that cannot advance by 1e-16 would spin
                if self.tokens >= cost - _EPSILON:
                    self.tokens = max(0.0, self.tokens - cost)
                    self.waited += waited
                    return waited
                need = (cost - self.tokens) / self.rate
                self.sleep(need)
                waited += need

    def limit_to(self, remaining: float) -> None:
        """The server says only ``remaining`` calls are left now: never hold more than that."""
        with self._lock:
            self._refill()
            self.tokens = min(self.tokens, max(0.0, remaining))

    def reconfigure(self, rate: float, capacity: float) -> None:
        """Change rate and capacity (tokens clipped to the new capacity)."""
        with self._lock:
            self._refill()
            self.rate = rate
            self.capacity = max(1.0, capacity)
            self.tokens = min(self.tokens, self.capacity)


def window_bucket(
    max_calls: int,
    interval_s: float,
    safety: float = 0.95,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> TokenBucket:
    """A bucket that never sends more than ``safety * max_calls`` in any ``interval_s``."""
    rate, capacity = _window_shape(max_calls, interval_s, safety)
    return TokenBucket(rate, capacity, clock, sleep)


def _window_shape(max_calls: int, interval_s: float, safety: float) -> tuple[float, float]:
    budget = max_calls * safety
    capacity = max(1.0, min(budget * 0.05, 10.0))
    rate = (budget - capacity) / interval_s
    return rate, capacity


@dataclass
class RateLimiter:
    """Buckets per endpoint class for one CRM account, plus the daily budget."""

    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    #: endpoint class -> bucket names it draws from (default: ``general`` when present)
    draws: dict[str, tuple[str, ...]] = field(default_factory=dict)
    daily_share: float = 1.0
    daily_remaining: int | None = None
    daily_max: int | None = None
    interval_s: float | None = None
    safety: float = 0.95
    crm: str = ""

    def acquire(self, endpoint: str) -> float:
        """Wait for a token of every bucket ``endpoint`` draws from; raise when the share is gone."""
        if self.daily_remaining is not None and self.daily_max is not None:
            reserve = self.daily_max * (1.0 - self.daily_share)
            if self.daily_remaining <= reserve:
                raise QuotaExhausted(
                    f"daily API allocation share used ({self.daily_max - self.daily_remaining}"
                    f"/{self.daily_max}, share {self.daily_share:.0%})",
                    crm=self.crm,
                    code="DAILY_BUDGET",
                )
        names = self.draws.get(endpoint) or (("general",) if "general" in self.buckets else ())
        waited = 0.0
        for name in names:
            bucket = self.buckets.get(name)
            if bucket is not None:
                waited += bucket.acquire()
        return waited

    def observe(self, headers: Mapping[str, str] | None) -> None:
        """Correct the buckets from a response's limit headers (HubSpot and Salesforce)."""
        if not headers:
            return
        lower = {str(k).lower(): str(v) for k, v in headers.items()}
        info = lower.get("sforce-limit-info")
        if info:
            match = _SF_USAGE.search(info)
            if match:
                used, total = int(match.group(1)), int(match.group(2))
                self.daily_max = total
                self.daily_remaining = max(0, total - used)
        general = self.buckets.get("general")
        hs_max = _int(lower.get("x-hubspot-ratelimit-max"))
        hs_interval = _int(lower.get("x-hubspot-ratelimit-interval-milliseconds"))
        if general is not None and hs_max and hs_interval:
            interval = hs_interval / 1000.0
            rate, capacity = _window_shape(hs_max, interval, self.safety)
            if abs(rate - general.rate) > 1e-9 or abs(capacity - general.capacity) > 1e-9:
                general.reconfigure(rate, capacity)
        remaining = _int(lower.get("x-hubspot-ratelimit-remaining"))
        if general is not None and remaining is not None and hs_max:
            # keep the same safety margin against the server's own count
            general.limit_to(remaining - hs_max * (1.0 - self.safety))
        daily_remaining = _int(lower.get("x-hubspot-ratelimit-daily-remaining"))
        daily = _int(lower.get("x-hubspot-ratelimit-daily"))
        if daily_remaining is not None and daily:
            self.daily_remaining, self.daily_max = daily_remaining, daily


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def hubspot_limiter(
    burst_max: int = 100,
    interval_s: float = 10.0,
    search_per_s: float = 5.0,
    daily_share: float = 1.0,
    safety: float = 0.95,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> RateLimiter:
    """Limiter for one HubSpot account: ``general`` burst bucket and ``search`` bucket."""
    return RateLimiter(
        buckets={
            "general": window_bucket(burst_max, interval_s, safety, clock, sleep),
            "search": TokenBucket(search_per_s * safety, 1.0, clock, sleep),
        },
        draws={"search": ("general", "search")},
        daily_share=daily_share,
        interval_s=interval_s,
        safety=safety,
        crm="hubspot",
    )


def salesforce_limiter(
    requests_per_s: float | None = None,
    daily_share: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> RateLimiter:
    """Limiter for one Salesforce org: daily allocation share, optional requests/s bucket."""
    buckets = {}
    if requests_per_s:
        buckets["general"] = TokenBucket(requests_per_s, max(1.0, requests_per_s), clock, sleep)
    return RateLimiter(buckets=buckets, daily_share=daily_share, crm="salesforce")


_SHARED: dict[tuple[str, str], RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(crm: str, account: str, make: Callable[[], RateLimiter]) -> RateLimiter:
    """One limiter per (CRM, account) in this process, made by ``make`` the first time."""
    with _SHARED_LOCK:
        key = (crm, account)
        if key not in _SHARED:
            _SHARED[key] = make()
        return _SHARED[key]
