"""Bearer tokens the sandbox accepts, per CRM, with optional time-to-live."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

from starlette.requests import Request

CRMS: tuple[str, ...] = ("salesforce", "hubspot")


def bearer_token(request: Request) -> str:
    """The token from an ``Authorization: Bearer …`` header ('' when absent)."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "oauth") else ""


def _new_token(crm: str) -> str:
    if crm == "salesforce":
        return f"00DSANDBOX000001!{secrets.token_urlsafe(42)}"
    return f"pat-na1-{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(12)}"


class TokenRegistry:
    """Issues and validates tokens; ``expire(crm)`` invalidates every token of that CRM.

    Thread-safe. ``clock`` is a monotonic clock in seconds (for TTLs).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, dict[str, float | None]] = {crm: {} for crm in CRMS}

    def issue(self, crm: str, ttl_s: float | None = None) -> str:
        """A new valid token for ``crm`` (``"salesforce"`` or ``"hubspot"``)."""
        token = _new_token(crm)
        self.add(crm, token, ttl_s)
        return token

    def add(self, crm: str, token: str, ttl_s: float | None = None) -> None:
        """Accept a given token (e.g. one restored from a data dir)."""
        expires = None if ttl_s is None else self.clock() + ttl_s
        with self._lock:
            self._tokens[crm][token] = expires

    def valid(self, crm: str, token: str) -> bool:
        """Whether ``token`` is currently accepted for ``crm``."""
        with self._lock:
            table = self._tokens.get(crm, {})
            if token not in table:
                return False
            expires = table[token]
            if expires is not None and self.clock() >= expires:
                del table[token]
                return False
            return True

    def expire(self, crm: str) -> None:
        """Invalidate every token of ``crm`` (the next call gets a 401)."""
        with self._lock:
            self._tokens[crm].clear()

    def clear(self) -> None:
        """Forget all tokens of all CRMs."""
        with self._lock:
            for table in self._tokens.values():
                table.clear()
