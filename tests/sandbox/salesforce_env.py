"""Test support for the Salesforce sandbox tests, on top of the core fixtures.

``sf_server`` is the session's HTTPS `SandboxServer`; ``sfenv`` the `Sandbox` reset to its
seeded state for the test; ``sf`` an unmodified ``simple_salesforce.Salesforce``
(``crm_bridge.sandbox.clients.salesforce_client``); ``login_session`` sends the client's
``login.salesforce.com`` OAuth calls to the sandbox.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from simple_salesforce.api import Salesforce

from crm_bridge.sandbox.clients import trusting_session
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


@pytest.fixture
def sf_server(sandbox_server: SandboxServer) -> SandboxServer:
    """The session's HTTPS sandbox server (core fixture ``sandbox_server``)."""
    return sandbox_server


@pytest.fixture
def sfenv(sandbox: SandboxServer) -> Sandbox:
    """The `Sandbox`, reset to its seeded state by the core ``sandbox`` fixture."""
    return sandbox.sandbox


@pytest.fixture
def sf(sandbox_salesforce: Salesforce, sfenv: Sandbox) -> Iterator[Salesforce]:
    """The core fixture's unmodified simple_salesforce client; its sockets are closed after
    the test so the session's server can stop promptly."""
    yield sandbox_salesforce
    sandbox_salesforce.session.close()
    gc.collect()  # exception tracebacks keep responses (and their sockets) alive


@pytest.fixture
def sf_login(sandbox_server: SandboxServer) -> Iterator[requests.Session]:
    """A `login_session` for the session's server, closed after the test."""
    with login_session(sandbox_server) as session:
        yield session
    gc.collect()
