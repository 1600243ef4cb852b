"""HubSpot rate limits: rolling 10-second burst per token, daily quota, 5/s search, with headers."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

WINDOW_S = 10.0
DAY_S = 86_400.0


@dataclass
class Verdict:
    """Outcome of one rate-limit check: headers to send, and a 429 body when refused."""

    headers: dict[str, str]
    refusal: dict[str, Any] | None = None


@dataclass
class RateLimiter:
    """Counts requests per token on an injectable monotonic clock."""

    clock: Callable[[], float]
    burst: int = 100
    daily: int = 250_000
    search_per_second: int = 5
    _burst: dict[str, deque[float]] = field(default_factory=dict)
    _search: dict[str, deque[float]] = field(default_factory=dict)
    _day: dict[str, tuple[float, int]] = field(default_factory=dict)

    def reset(self) -> None:
        """Forget all counts."""
        self._burst.clear()
        self._search.clear()
        self._day.clear()

    def check(self, token: str, *, search: bool) -> Verdict:
        """Count one request for `token`; refuse it (429 body) when over a limit."""
        now = self.clock()
        start, used = self._day.get(token, (now, 0))
        if now - start >= DAY_S:
            start, used = now, 0
        window = self._burst.setdefault(token, deque())
        while window and window[0] <= now - WINDOW_S:
            window.popleft()
        if used >= self.daily:
            return Verdict(
                self._headers(len(window), used),
                _body("You have reached your daily limit.", "DAILY"),
            )
        if len(window) >= self.burst:
            return Verdict(
                self._headers(len(window), used),
                _body("You have reached your ten_secondly_rolling limit.", "TEN_SECONDLY_ROLLING"),
            )
        if search:
            sw = self._search.setdefault(token, deque())
            while sw and sw[0] <= now - 1.0:
                sw.popleft()
            if len(sw) >= self.search_per_second:
                return Verdict({}, _body("You have reached your secondly limit.", "SECONDLY"))
            sw.append(now)
        window.append(now)
        self._day[token] = (start, used + 1)
        return Verdict({} if search else self._headers(len(window), used + 1))

    def _headers(self, in_window: int, used: int) -> dict[str, str]:
        return {
            "X-HubSpot-RateLimit-Max": str(self.burst),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.burst - in_window)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(WINDOW_S * 1000)),
            "X-HubSpot-RateLimit-Daily": str(self.daily),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily - used)),
        }


def _body(message: str, policy: str) -> dict[str, Any]:
    return {"status": "error", "message": message, "errorType": "RATE_LIMIT", "policyName": policy}
