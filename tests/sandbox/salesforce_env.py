"""Test support: the real sandbox server (HTTPS, core middleware) for the Salesforce tests.

One `SandboxServer` per test session; ``sfenv`` resets it to the seeded state before each
test; ``sf`` is an unmodified ``simple_salesforce.Salesforce`` built by
``crm_bridge.sandbox.clients.salesforce_client``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from simple_salesforce.api import Salesforce

from crm_bridge.sandbox.clients import salesforce_client, trusting_session
from crm_bridge.sandbox.core import Sandbox
from crm_bridge.sandbox.server import SandboxServer

Env = Sandbox


class _ToSandbox(requests.adapters.HTTPAdapter):
    """Sends ``https://login.salesforce.com`` (where the client logs in) to the sandbox."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def send(self, request: requests.PreparedRequest, *args: Any, **kw: Any) -> requests.Response:  # type: ignore[override]
        assert request.url is not None
        request.url = request.url.replace("https://login.salesforce.com", self.base_url, 1)
        return super().send(request, *args, **kw)


def login_session(server: SandboxServer) -> requests.Session:
    """A session trusting the sandbox CA whose login.salesforce.com calls reach the sandbox."""
    session = trusting_session(server.ca_file)
    session.mount("https://login.salesforce.com", _ToSandbox(server.base_url))
    return session


@pytest.fixture(scope="session")
def sf_server() -> Iterator[SandboxServer]:
    """One HTTPS sandbox for the whole test session."""
    with SandboxServer(records=200, seed=3) as server:
        yield server


@pytest.fixture
def sfenv(sf_server: SandboxServer) -> Sandbox:
    """The sandbox, reset to its seeded state (data, faults, counters, tokens)."""
    sf_server.sandbox.reset()
    sf_server.sandbox.config.rate_limits = True
    return sf_server.sandbox


@pytest.fixture
def sf(sf_server: SandboxServer, sfenv: Sandbox) -> Iterator[Salesforce]:
    """An unmodified simple_salesforce client with a valid session (closed afterwards)."""
    client = salesforce_client(sf_server)
    yield client
    client.session.close()
    gc.collect()  # exception tracebacks keep responses (and their sockets) alive
