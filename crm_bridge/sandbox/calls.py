"""Per-CRM, per-endpoint call counting for the sandbox (what the benchmarks and tests read)."""

from __future__ import annotations

import re
import threading
from collections import Counter
from typing import Any

_SF_ID = re.compile(r"^[a-zA-Z0-9]{15,18}(-\d+)?$")


def _is_id(segment: str) -> bool:
    if not segment:
        return False
    if segment.isdigit() or "@" in segment:
        return True
    return bool(_SF_ID.match(segment)) and any(c.isdigit() for c in segment)


def endpoint_key(method: str, path: str) -> str:
    """``"GET /services/data/v59.0/sobjects/Lead/{id}"``: ids, emails, locators → ``{id}``."""
    parts = ["{id}" if _is_id(seg) else seg for seg in path.split("/")]
    return f"{method.upper()} {'/'.join(parts)}"


class CallCounter:
    """Thread-safe counters of requests per CRM, endpoint key and response status."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._endpoints: dict[str, Counter[str]] = {}
        self._statuses: dict[str, Counter[str]] = {}

    def record(self, crm: str, method: str, path: str, status: int) -> None:
        """Count one request to ``crm`` that was answered with ``status``."""
        key = endpoint_key(method, path)
        with self._lock:
            self._endpoints.setdefault(crm, Counter())[key] += 1
            self._statuses.setdefault(crm, Counter())[str(status)] += 1

    def total(self, crm: str | None = None) -> int:
        """Requests counted for one CRM, or for all."""
        with self._lock:
            crms = [crm] if crm else list(self._endpoints)
            return sum(sum(self._endpoints.get(c, Counter()).values()) for c in crms)

    def snapshot(self) -> dict[str, Any]:
        """``{"total": n, "<crm>": {"total": n, "endpoints": {key: n}, "statuses": {"200": n}}}``.

        Both CRMs are always present (with zero totals when unused).
        """
        with self._lock:
            out: dict[str, Any] = {"total": 0}
            for crm in ("salesforce", "hubspot"):
                endpoints = dict(sorted(self._endpoints.get(crm, Counter()).items()))
                statuses = dict(sorted(self._statuses.get(crm, Counter()).items()))
                total = sum(endpoints.values())
                out[crm] = {"total": total, "endpoints": endpoints, "statuses": statuses}
                out["total"] += total
            return out

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self._endpoints.clear()
            self._statuses.clear()
