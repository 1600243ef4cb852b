"""Daily API request allocation and the ``Sforce-Limit-Info`` header."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

DAY_S = 86_400.0


class ApiUsage:
    """A rolling 24-hour count of API requests against a configurable allocation."""

    def __init__(self, daily_max: int = 100_000) -> None:
        self.daily_max = daily_max
        self._calls: deque[float] = deque()

    def used(self, now: float) -> int:
        """Requests in the last 24 hours at monotonic time ``now``."""
        while self._calls and self._calls[0] <= now - DAY_S:
            self._calls.popleft()
        return len(self._calls)

    def take(self, now: float, enforce: bool) -> bool:
        """Count one request; False (and not counted) if the allocation is used up."""
        if enforce and self.used(now) >= self.daily_max:
            return False
        self._calls.append(now)
        return True

    def header(self, now: float) -> str:
        """The ``Sforce-Limit-Info`` value (must start with ``api-usage=``)."""
        return f"api-usage={self.used(now)}/{self.daily_max}"

    def reset(self) -> None:
        """Forget all counted requests."""
        self._calls.clear()


def limits_body(usage: ApiUsage, now: float) -> dict[str, dict[str, int]]:
    """The body of ``GET limits/``."""
    used = usage.used(now)

    def entry(maximum: int, remaining: int) -> dict[str, int]:
        return {"Max": maximum, "Remaining": remaining}

    return {
        "DailyApiRequests": entry(usage.daily_max, max(0, usage.daily_max - used)),
        "ConcurrentAsyncGetReportInstances": entry(200, 200),
        "ConcurrentSyncReportRuns": entry(20, 20),
        "DailyAsyncApexExecutions": entry(250_000, 250_000),
        "DailyBulkApiBatches": entry(15_000, 15_000),
        "DailyBulkV2QueryJobs": entry(10_000, 10_000),
        "DailyBulkV2QueryFileStorageMB": entry(976_562, 976_562),
        "DataStorageMB": entry(1_024, 1_000),
        "FileStorageMB": entry(1_024, 1_024),
        "HourlyODataCallout": entry(10_000, 10_000),
        "SingleEmail": entry(5_000, 5_000),
    }


Clock = Callable[[], float]
