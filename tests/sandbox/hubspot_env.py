"""Test support for the HubSpot emulator, on top of the core sandbox fixtures.

- ``hs_env``: the core ``sandbox`` server with an EMPTY HubSpot portal swapped in (tests add
  exactly the records they reason about) and rate limits off.
- ``hs``: an unmodified ``hubspot.HubSpot`` client for it (from ``clients.hubspot_client``).
- ``clocked``: a separate HTTPS sandbox whose monotonic clock only moves when a test moves it
  (for rate-limit windows and token expiry).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hubspot import HubSpot

from crm_bridge.sandbox.clients import hubspot_client
from crm_bridge.sandbox.core import Sandbox
from crm_bridge.sandbox.hubspot.store import HubSpotStore
from crm_bridge.sandbox.server import SandboxServer
from crm_bridge.sandbox.testing import reset_for_test


class FakeClock:
    """Monotonic seconds that only move when a test says so."""

    def __init__(self) -> None:
        self.t = 5_000.0

    def __call__(self) -> float:
        return self.t


@dataclass
class Env:
    """A running sandbox server and handy accessors for HubSpot tests."""

    server: SandboxServer
    clock: FakeClock | None = None

    @property
    def sb(self) -> Sandbox:
        return self.server.sandbox

    @property
    def hubspot(self) -> HubSpotStore:
        return self.server.sandbox.hubspot

    def client(self, token: str | None = None) -> HubSpot:
        return hubspot_client(self.server, access_token=token or self.server.hubspot_access_token)

    def fail_record(self, record_id: str, code: str, message: str) -> None:
        """Inject a per-record failure for ``record_id`` in any HubSpot batch write."""
        self.sb.faults.add(
            "record_failure", crm="hubspot", record_ids=[record_id], code=code, message=message
        )


def _empty(server: SandboxServer) -> None:
    reset_for_test(server)
    server.sandbox.hubspot = HubSpotStore()
    server.sandbox.config.rate_limits = False


@pytest.fixture
def hs_env(sandbox: SandboxServer) -> Iterator[Env]:
    """The core sandbox with an empty HubSpot portal and rate limits off."""
    _empty(sandbox)
    yield Env(sandbox)
    # Drop the SDK's pooled TLS connections: an idle pooled connection makes the server's
    # TLS shutdown wait for the client's close_notify at session end.
    gc.collect()


@pytest.fixture
def hs(hs_env: Env) -> HubSpot:
    """An unmodified `hubspot.HubSpot` client pointed at the emulator."""
    return hs_env.client()


@pytest.fixture(scope="session")
def clocked_server() -> Iterator[tuple[SandboxServer, FakeClock]]:
    """A small sandbox on a fake monotonic clock."""
    clock = FakeClock()
    sb = Sandbox.create(records=80, seed=7, rate_limits=False, clock=clock)
    with SandboxServer(sb) as server:
        yield server, clock
        gc.collect()


@pytest.fixture
def clocked(clocked_server: tuple[SandboxServer, FakeClock]) -> Iterator[Env]:
    """The fake-clock sandbox reset to its seeded state, rate limits off."""
    server, clock = clocked_server
    reset_for_test(server)
    server.sandbox.config.rate_limits = False
    yield Env(server, clock)
    gc.collect()
