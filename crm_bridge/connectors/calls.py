"""One place where every CRM call goes through pacing, retry, translation and counting."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from crm_bridge.connectors.base import ConnectorStats
from crm_bridge.connectors.errors import translate
from crm_bridge.connectors.ratelimit import RateLimiter
from crm_bridge.connectors.retry import DEFAULT_POLICY, RetryPolicy
from crm_bridge.errors import AuthError, RateLimited

log = logging.getLogger("crm_bridge.calls")

T = TypeVar("T")
Headers = Mapping[str, str]


@dataclass
class Caller:
    """Runs CRM calls: limiter token, vendor call, header feedback, translation, retry.

    ``reauth`` (optional) is called once when a call fails with :class:`AuthError` (expired
    session/token); the call is then replayed once with the fresh credentials.
    """

    crm: str
    retry: RetryPolicy = DEFAULT_POLICY
    limiter: RateLimiter | None = None
    stats: ConnectorStats = field(default_factory=ConnectorStats)
    reauth: Callable[[], None] | None = None

    def call(
        self,
        endpoint: str,
        fn: Callable[[], tuple[T, Headers | None]],
        object_type: str | None = None,
    ) -> T:
        """Call ``fn`` (returning data and response headers) under pacing and retry."""

        def attempt() -> T:
            if self.limiter is not None:
                self.limiter.acquire(endpoint)
            self.stats.by_endpoint[endpoint] += 1
            started = time.monotonic()
            try:
                data, headers = fn()
            except Exception as exc:  # vendor exceptions of any kind are translated here
                error = translate(exc, self.crm, object_type)
                log.debug(
                    "%s %s failed after %.0f ms: %s",
                    self.crm,
                    endpoint,
                    (time.monotonic() - started) * 1000,
                    error,
                )
                headers = getattr(exc, "headers", None)
                if self.limiter is not None and isinstance(headers, Mapping):
                    self.limiter.observe(headers)
                if isinstance(error, RateLimited):
                    self.stats.rate_limited += 1
                raise error from exc
            log.debug(
                "%s %s ok in %.0f ms", self.crm, endpoint, (time.monotonic() - started) * 1000
            )
            if self.limiter is not None:
                self.limiter.observe(headers)
            return data

        def on_retry(exc: BaseException, wait: float) -> None:
            self.stats.retries += 1
            log.info("%s %s: %s; retrying in %.1f s", self.crm, endpoint, exc, wait)

        try:
            return self.retry.call(attempt, on_retry)
        except AuthError:
            if self.reauth is None:
                raise
            self.reauth()
            return self.retry.call(attempt, on_retry)
