"""The single retry policy for both CRMs (tenacity), as a value.

Retries :class:`~crm_bridge.errors.RetriableError` (5xx, timeouts, connection errors,
``UNABLE_TO_LOCK_ROW``, HubSpot 423/477) and :class:`~crm_bridge.errors.RateLimited` (429):
waits the server's ``Retry-After`` / HubSpot interval when given, otherwise a jittered
exponential backoff, and gives up when the next wait would pass the total deadline. Clock and
sleep are injectable, so tests never sleep. The clients' own retries are turned off (see
:func:`no_urllib3_retries`), so this is the only retry layer.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import tenacity
from urllib3.util.retry import Retry

from crm_bridge.connectors.errors import CONNECTION_ERROR
from crm_bridge.errors import ConnectivityError, RateLimited, RetriableError

T = TypeVar("T")


def no_urllib3_retries() -> Retry:
    """A urllib3 ``Retry`` that never retries and never turns a status into an exception."""
    return Retry(total=0, connect=0, read=0, redirect=0, status=0, other=0, raise_on_status=False)


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to retry a CRM call.

    ``deadline_s`` bounds the total time spent on one call including waits; ``max_attempts``
    bounds the attempts. ``base_s``/``max_wait_s`` shape the jittered exponential backoff.
    """

    deadline_s: float = 120.0
    max_attempts: int = 8
    base_s: float = 0.5
    max_wait_s: float = 30.0
    jitter: float = 0.25
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    def wait_for(self, attempt: int, exc: BaseException | None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` after ``exc``."""
        hinted = getattr(exc, "retry_after", None)
        if isinstance(hinted, int | float) and hinted >= 0:
            return float(hinted) * (1.0 + self.jitter * self.rng.random() * 0.2)
        ceiling = min(self.max_wait_s, self.base_s * (2 ** max(0, attempt - 1)))
        low = ceiling * (1.0 - self.jitter)
        return float(low + (ceiling - low) * self.rng.random())

    def call(
        self,
        fn: Callable[[], T],
        on_retry: Callable[[BaseException, float], None] | None = None,
    ) -> T:
        """Run ``fn`` under this policy; re-raise the last error when giving up.

        A connection error that outlives the deadline becomes
        :class:`~crm_bridge.errors.ConnectivityError`.
        """
        start = self.clock()

        def stop(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number >= self.max_attempts:
                return True
            exc = state.outcome.exception() if state.outcome else None
            wait = self.wait_for(state.attempt_number, exc)
            return self.clock() - start + wait > self.deadline_s

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.wait_for(state.attempt_number, exc)

        def before_sleep(state: tenacity.RetryCallState) -> None:
            if on_retry is not None and state.outcome is not None:
                exc = state.outcome.exception()
                if exc is not None:
                    on_retry(exc, state.next_action.sleep if state.next_action else 0.0)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(RetriableError),
            stop=stop,
            wait=wait,
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(fn)
        except RetriableError as exc:
            if exc.code == CONNECTION_ERROR and not isinstance(exc, RateLimited):
                raise ConnectivityError(
                    exc.message, crm=exc.crm, code=exc.code, object_type=exc.object_type
                ) from exc
            raise


#: The default policy (real clock and sleep).
DEFAULT_POLICY = RetryPolicy()
