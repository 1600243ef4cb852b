"""Fault injection: request-level faults (429, 5xx, timeouts, expired sessions, lock errors,
slow responses) and per-record failures inside composite/batch writes.

A fault matches a CRM (``"salesforce"``, ``"hubspot"`` or ``"*"``) and an fnmatch pattern on
``"METHOD /path"`` (e.g. ``"POST /crm/v3/objects/*/batch/*"``). ``count`` limits how many times
it fires (then it is removed); ``rate`` makes it fire with that probability (seeded, so runs
repeat). Both may be combined; with neither, it fires on every match until cleared.
"""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import asdict, dataclass
from typing import Any, Literal

FaultKind = Literal[
    "rate_limit", "server_error", "timeout", "slow", "expired_session", "lock_error",
    "record_failure",
]  # fmt: skip
REQUEST_KINDS: frozenset[str] = frozenset(
    {"rate_limit", "server_error", "timeout", "slow", "expired_session", "lock_error"}
)
KINDS: frozenset[str] = REQUEST_KINDS | {"record_failure"}


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected fault. ``remaining`` is None for unlimited."""

    id: int
    kind: str
    crm: str
    endpoint: str
    remaining: int | None
    rate: float | None
    status: int | None
    code: str | None
    message: str | None
    delay_s: float | None
    record_ids: tuple[str, ...] | None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (admin API)."""
        d = asdict(self)
        d["record_ids"] = list(self.record_ids) if self.record_ids is not None else None
        return d


class FaultInjector:
    """Holds faults and decides, per request or per record, whether one fires. Thread-safe."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._faults: dict[int, Fault] = {}
        self._next = 1
        self._seed = seed
        self._rng = random.Random(seed)

    def add(
        self,
        kind: str,
        *,
        crm: str,
        endpoint: str = "*",
        count: int | None = None,
        rate: float | None = None,
        status: int | None = None,
        code: str | None = None,
        message: str | None = None,
        delay_s: float | None = None,
        record_ids: list[str] | tuple[str, ...] | None = None,
    ) -> int:
        """Register a fault and return its id.

        ``kind``: ``rate_limit``, ``server_error``, ``timeout`` (hold ``delay_s``, default 0,
        then drop the connection), ``slow`` (delay ``delay_s``, default 1 s, then serve),
        ``expired_session``, ``lock_error``, or ``record_failure`` (per-record; ``record_ids``
        limits it to those ids, ``code``/``message`` override the default error).
        """
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(KINDS)}")
        if crm not in ("salesforce", "hubspot", "*"):
            raise ValueError(f"unknown crm {crm!r}; expected salesforce, hubspot or *")
        if count is not None and count < 1:
            raise ValueError("count must be >= 1")
        if rate is not None and not 0.0 < rate <= 1.0:
            raise ValueError("rate must be in (0, 1]")
        with self._lock:
            fid = self._next
            self._next += 1
            ids = tuple(str(r) for r in record_ids) if record_ids is not None else None
            self._faults[fid] = Fault(
                fid, kind, crm, endpoint, count, rate, status, code, message, delay_s, ids
            )
            return fid

    def remove(self, fault_id: int) -> bool:
        """Drop one fault; False if it was not there."""
        with self._lock:
            return self._faults.pop(fault_id, None) is not None

    def clear(self) -> None:
        """Drop every fault and restart the random stream (so runs repeat)."""
        with self._lock:
            self._faults.clear()
            self._rng = random.Random(self._seed)

    def list(self) -> list[Fault]:
        """The active faults, oldest first."""
        with self._lock:
            return list(self._faults.values())

    def _fire(self, fault: Fault) -> bool:
        """Under the lock: apply rate and count; True when the fault fires now."""
        if fault.rate is not None and self._rng.random() >= fault.rate:
            return False
        if fault.remaining is not None:
            if fault.remaining <= 1:
                del self._faults[fault.id]
            else:
                self._faults[fault.id] = _with_remaining(fault, fault.remaining - 1)
        return True

    def _matches(self, fault: Fault, crm: str, method: str, path: str) -> bool:
        return fault.crm in ("*", crm) and fnmatch.fnmatchcase(
            f"{method.upper()} {path}", fault.endpoint
        )

    def take(self, crm: str, method: str, path: str) -> Fault | None:
        """The request-level fault that fires for this request, if any (consumes one count)."""
        with self._lock:
            for fault in list(self._faults.values()):
                hit = fault.kind in REQUEST_KINDS and self._matches(fault, crm, method, path)
                if hit and self._fire(fault):
                    return fault
            return None

    def record_failure(
        self, crm: str, method: str, path: str, record_id: str
    ) -> tuple[str, str] | None:
        """``(code, message)`` if this record's write inside a batch should fail, else None."""
        with self._lock:
            for fault in list(self._faults.values()):
                if fault.kind != "record_failure" or not self._matches(fault, crm, method, path):
                    continue
                if fault.record_ids is not None and str(record_id) not in fault.record_ids:
                    continue
                if self._fire(fault):
                    return _record_error(crm, fault)
            return None


def _with_remaining(f: Fault, remaining: int) -> Fault:
    return Fault(f.id, f.kind, f.crm, f.endpoint, remaining, f.rate, f.status, f.code,
                 f.message, f.delay_s, f.record_ids)  # fmt: skip


def _record_error(crm: str, fault: Fault) -> tuple[str, str]:
    if crm == "salesforce":
        return (
            fault.code or "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            fault.message or "Sandbox injected failure: record rejected by validation rule",
        )
    return (
        fault.code or "VALIDATION_ERROR",
        fault.message or "Sandbox injected failure: property values were not valid",
    )
