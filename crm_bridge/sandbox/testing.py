"""pytest fixtures for tests against the sandbox (registered by ``tests/conftest.py``).

- ``sandbox_server`` (session): one HTTPS `SandboxServer` with `TEST_RECORDS` people,
  seed `TEST_SEED`, rate limits on, no latency.
- ``sandbox`` (function): the same server, reset before the test to the seeded data with no
  faults, zero counters, only the server's own tokens, and default config (rate limits on,
  no latency). Returns the `SandboxServer` (``.sandbox`` is the `Sandbox`).
- ``sandbox_salesforce`` / ``sandbox_hubspot`` (function): official clients for it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hubspot import HubSpot
from simple_salesforce.api import Salesforce

from crm_bridge.sandbox.clients import hubspot_client, salesforce_client
from crm_bridge.sandbox.server import SandboxServer

TEST_RECORDS = 300
TEST_SEED = 7


def reset_for_test(server: SandboxServer) -> SandboxServer:
    """Seeded data, no faults, zero counters, default config; returns ``server``."""
    sb = server.sandbox
    sb.reset()
    sb.config.rate_limits = True
    sb.config.latency_ms = 0.0
    sb.config.hubspot_tier = 100
    return server


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    """One sandbox server for the whole test session."""
    with SandboxServer(records=TEST_RECORDS, seed=TEST_SEED) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server: SandboxServer) -> SandboxServer:
    """The session's server, reset to its seeded state for this test."""
    return reset_for_test(sandbox_server)


@pytest.fixture
def sandbox_salesforce(sandbox: SandboxServer) -> Salesforce:
    """``simple_salesforce.Salesforce`` connected to the reset sandbox."""
    return salesforce_client(sandbox)


@pytest.fixture
def sandbox_hubspot(sandbox: SandboxServer) -> HubSpot:
    """``hubspot.HubSpot`` connected to the reset sandbox."""
    return hubspot_client(sandbox)
