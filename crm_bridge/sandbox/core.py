"""The `Sandbox`: both CRM stores plus faults, call counters, tokens, config and clock.

`Sandbox.create(...)` generates the World and seeds both stores; `reset()` goes back to that
seeded state (data, faults, counters, the sandbox's own tokens); with a ``data_dir`` the state
is saved to ``<data_dir>/sandbox-state.json`` (`save()`) and loaded by `create` when present.
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crm_bridge.sandbox.calls import CallCounter
from crm_bridge.sandbox.faults import FaultInjector
from crm_bridge.sandbox.hubspot.store import HubSpotStore
from crm_bridge.sandbox.salesforce.store import SalesforceStore
from crm_bridge.sandbox.tokens import TokenRegistry
from crm_bridge.sandbox.world import World, generate_world

STATE_FILE = "sandbox-state.json"
STATE_VERSION = 1
FREEZE_FROM_RECORDS = 10_000


@contextmanager
def _bulk_build(records: int) -> Iterator[None]:
    """No cyclic GC while building millions of objects; big sandboxes then freeze them so
    later collections (while serving) skip the store."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        if records >= FREEZE_FROM_RECORDS:
            gc.collect()
            gc.freeze()


@dataclass(slots=True)
class SandboxConfig:
    """Sandbox settings. Mutable at run time (e.g. ``sb.config.rate_limits = False``)."""

    records: int = 300
    seed: int = 0
    now: datetime | None = None
    rate_limits: bool = True
    latency_ms: float = 0.0
    hubspot_tier: int = 100
    data_dir: Path | None = None

    def to_json(self) -> dict[str, Any]:
        """The seed-relevant part (what a data dir remembers)."""
        return {
            "records": self.records,
            "seed": self.seed,
            "now": self.now.isoformat() if self.now else None,
            "hubspot_tier": self.hubspot_tier,
        }


def default_now() -> datetime:
    """The generation instant: the current UTC hour (stable within an hour, aware UTC)."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


class Sandbox:
    """In-process state of the emulator, shared by the routes and the admin API.

    Attributes used by the CRM routes: ``salesforce`` (`SalesforceStore`), ``hubspot``
    (`HubSpotStore`), ``faults`` (`FaultInjector`), ``calls`` (`CallCounter`), ``tokens``
    (`TokenRegistry`), ``config`` (`SandboxConfig`), ``clock`` (monotonic seconds).
    ``salesforce_session_id`` / ``hubspot_access_token`` are the sandbox's own tokens: valid
    for its whole life and across `reset` (and across restarts with a data dir).
    """

    def __init__(self, config: SandboxConfig, clock: Callable[[], float] = time.monotonic):
        self.config = config
        self.clock = clock
        self.calls = CallCounter()
        self.faults = FaultInjector(seed=config.seed)
        self.tokens = TokenRegistry(clock)
        self.salesforce = SalesforceStore()
        self.hubspot = HubSpotStore()
        self.salesforce_session_id = self.tokens.issue("salesforce")
        self.hubspot_access_token = self.tokens.issue("hubspot")
        self.lock = threading.RLock()
        self.dirty = False
        #: True from seeding until a client has synced it once: a sync state kept from an
        #: earlier sandbox (cursors) must not be trusted, so the next sync reads everything
        self.freshly_seeded = False
        self._world: World | None = None

    @classmethod
    def create(
        cls,
        records: int = 300,
        seed: int = 0,
        data_dir: str | Path | None = None,
        rate_limits: bool = True,
        latency_ms: float = 0.0,
        *,
        now: datetime | None = None,
        hubspot_tier: int = 100,
        clock: Callable[[], float] = time.monotonic,
    ) -> Sandbox:
        """A seeded sandbox. With ``data_dir`` holding a saved state, that state is loaded
        instead (its records/seed/now win, so `reset` regenerates the same World)."""
        config = SandboxConfig(
            records=records,
            seed=seed,
            now=now or default_now(),
            rate_limits=rate_limits,
            latency_ms=latency_ms,
            hubspot_tier=hubspot_tier,
            data_dir=Path(data_dir) if data_dir is not None else None,
        )
        sb = cls(config, clock)
        if config.data_dir is not None and (config.data_dir / STATE_FILE).exists():
            sb.load()
        else:
            sb.reset()
        return sb

    @property
    def world(self) -> World:
        """The generated World for (records, seed, now); made once and cached."""
        if self._world is None:
            assert self.config.now is not None
            self._world = generate_world(self.config.records, self.config.seed, self.config.now)
        return self._world

    def reset(self) -> None:
        """Back to the seeded state: fresh stores from the World, no faults, zero counters,
        only the sandbox's own tokens valid."""
        with self.lock, _bulk_build(self.config.records):
            salesforce, hubspot = SalesforceStore(), HubSpotStore()
            deal_ids = salesforce.seed(self.world)
            hubspot.seed(self.world, deal_ids)
            self.salesforce, self.hubspot = salesforce, hubspot
            self.faults.clear()
            self.calls.reset()
            self._reset_tokens()
            self.dirty = True
            self.freshly_seeded = True

    def _reset_tokens(self) -> None:
        self.tokens.clear()
        self.tokens.add("salesforce", self.salesforce_session_id)
        self.tokens.add("hubspot", self.hubspot_access_token)

    # ----- persistence ---------------------------------------------------------------------
    def state_path(self) -> Path | None:
        """``<data_dir>/sandbox-state.json``, or None without a data dir."""
        return self.config.data_dir / STATE_FILE if self.config.data_dir is not None else None

    def dump(self) -> bytes:
        """The whole state as JSON bytes (call on the thread that serves requests)."""
        with self.lock:
            state = {
                "version": STATE_VERSION,
                "config": self.config.to_json(),
                "freshly_seeded": self.freshly_seeded,
                "tokens": {
                    "salesforce": self.salesforce_session_id,
                    "hubspot": self.hubspot_access_token,
                },
                "salesforce": self.salesforce.to_json(),
                "hubspot": self.hubspot.to_json(),
            }
            self.dirty = False
        return json.dumps(state, separators=(",", ":"), default=_json_default).encode()

    def save(self, data: bytes | None = None) -> Path | None:
        """Write the state atomically into the data dir (no-op without one)."""
        path = self.state_path()
        if path is None:
            return None
        payload = self.dump() if data is None else data
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(payload)
        os.replace(tmp, path)
        return path

    def load(self) -> None:
        """Replace the state with the saved one from the data dir."""
        path = self.state_path()
        if path is None:
            raise ValueError("this sandbox has no data_dir")
        state = json.loads(path.read_bytes())
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"{path}: unsupported sandbox state version {state.get('version')}")
        cfg = state["config"]
        with self.lock, _bulk_build(self.config.records):
            self.config = replace(
                self.config,
                records=int(cfg["records"]),
                seed=int(cfg["seed"]),
                now=datetime.fromisoformat(cfg["now"]) if cfg.get("now") else self.config.now,
                hubspot_tier=int(cfg.get("hubspot_tier", self.config.hubspot_tier)),
            )
            self._world = None
            salesforce, hubspot = SalesforceStore(), HubSpotStore()
            salesforce.from_json(state["salesforce"])
            hubspot.from_json(state["hubspot"])
            self.salesforce, self.hubspot = salesforce, hubspot
            self.freshly_seeded = bool(state.get("freshly_seeded", False))
            self.salesforce_session_id = state["tokens"]["salesforce"]
            self.hubspot_access_token = state["tokens"]["hubspot"]
            self._reset_tokens()
            self.faults.clear()
            self.calls.reset()
            self.dirty = False

    def describe(self) -> dict[str, Any]:
        """Health/summary figures for the admin API."""
        cfg = asdict(self.config)
        cfg["now"] = self.config.now.isoformat() if self.config.now else None
        cfg["data_dir"] = str(self.config.data_dir) if self.config.data_dir else None
        return {"status": "ok", "config": cfg, "calls": self.calls.total()}


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
