"""Test support: the Salesforce routes served on localhost for the unmodified simple_salesforce.

A stand-in for the core ``Sandbox`` surface the Salesforce routes use (``salesforce``,
``tokens``, ``faults``, ``config``, ``clock``); the routes are mounted exactly as the core app
mounts them. Plain HTTP on 127.0.0.1, with a requests adapter that rewrites the client's
``https://`` URLs.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import uvicorn
from simple_salesforce import Salesforce
from starlette.applications import Starlette

from crm_bridge.sandbox.salesforce.routes import routes
from crm_bridge.sandbox.salesforce.store import SalesforceStore


class Tokens:
    """Bearer tokens the sandbox accepts."""

    def __init__(self) -> None:
        self.live: set[str] = set()
        self._n = itertools.count(1)

    def issue(self, crm: str, ttl_s: float | None = None) -> str:
        token = f"00D8d!sandbox.{next(self._n)}"
        self.live.add(token)
        return token

    def valid(self, crm: str, token: str) -> bool:
        return crm == "salesforce" and token in self.live

    def expire(self, crm: str) -> None:
        self.live.clear()


@dataclass
class Faults:
    """Per-record failures keyed by record id ('' matches inserts)."""

    records: dict[str, tuple[str, str]] = field(default_factory=dict)

    def record_failure(
        self, crm: str, method: str, path: str, record_id: str
    ) -> tuple[str, str] | None:
        return self.records.get(record_id)


@dataclass
class Config:
    rate_limits: bool = True


@dataclass
class Env:
    """The stand-in sandbox plus the port it is served on."""

    salesforce: SalesforceStore = field(default_factory=SalesforceStore)
    tokens: Tokens = field(default_factory=Tokens)
    faults: Faults = field(default_factory=Faults)
    config: Config = field(default_factory=Config)
    clock: Any = time.monotonic
    port: int = 0

    @property
    def instance_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"


class ToHttp(requests.adapters.HTTPAdapter):
    """Sends the client's https URLs to the plain-http test server."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def send(self, request: requests.PreparedRequest, **kw: Any) -> requests.Response:
        assert request.url is not None
        url = request.url.replace("https://", "http://", 1)
        request.url = url.replace("http://login.salesforce.com", f"http://127.0.0.1:{self.port}")
        return super().send(request, **kw)


def http_session(port: int) -> requests.Session:
    """A session whose https traffic (and login.salesforce.com) goes to the test server."""
    session = requests.Session()
    session.trust_env = False
    adapter = ToHttp(port)
    session.mount(f"https://127.0.0.1:{port}", adapter)
    session.mount("https://login.salesforce.com", adapter)
    return session


@pytest.fixture(scope="session")
def sf_server() -> Iterator[Env]:
    """One server for the whole test session."""
    env = Env()
    app = Starlette(routes=routes(env))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    env.port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield env
    server.should_exit = True
    thread.join(5)


@pytest.fixture
def sfenv(sf_server: Env) -> Env:
    """The sandbox with an empty org, no faults and a fresh API allocation."""
    sf_server.salesforce.reset()
    sf_server.faults.records.clear()
    sf_server.config.rate_limits = True
    return sf_server


@pytest.fixture
def sf(sfenv: Env) -> Salesforce:
    """An unmodified simple_salesforce client with a valid session."""
    return Salesforce(
        session_id=sfenv.tokens.issue("salesforce"),
        instance_url=f"http://127.0.0.1:{sfenv.port}",
        session=http_session(sfenv.port),
    )
