"""Test support: a HubSpot-only sandbox served over HTTP on localhost for the SDK to talk to.

Mirrors the core `Sandbox` surface the HubSpot routes use (`hubspot`, `tokens`, `faults`,
`clock`, `config`), so these tests exercise the routes exactly as mounted by the core app.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import uvicorn
from hubspot import HubSpot
from starlette.applications import Starlette

from crm_bridge.sandbox.hubspot.routes import routes
from crm_bridge.sandbox.hubspot.store import HubSpotStore

TOKEN = "pat-na1-test"


@dataclass
class Tokens:
    """Valid bearer tokens."""

    live: set[str] = field(default_factory=lambda: {TOKEN})

    def valid(self, crm: str, token: str) -> bool:
        return crm == "hubspot" and token in self.live

    def issue(self, crm: str, ttl_s: float | None = None) -> str:
        token = f"oauth-{len(self.live)}"
        self.live.add(token)
        return token

    def expire(self, crm: str) -> None:
        self.live.clear()


@dataclass
class Faults:
    """Per-record failures keyed by record id."""

    records: dict[str, tuple[str, str]] = field(default_factory=dict)

    def record_failure(
        self, crm: str, method: str, path: str, record_id: str
    ) -> tuple[str, str] | None:
        return self.records.get(record_id)


@dataclass
class Config:
    rate_limits: bool = False
    hubspot_tier: int = 100


class Clock:
    """Manually advanced monotonic clock."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@dataclass
class Env:
    """What a test gets: the sandbox double and its URL."""

    hubspot: HubSpotStore
    tokens: Tokens
    faults: Faults
    config: Config
    clock: Clock
    host: str = ""

    def client(self, token: str = TOKEN) -> HubSpot:
        return HubSpot(access_token=token, host=self.host)

    def reset(self) -> None:
        self.hubspot = HubSpotStore()
        self.tokens.live = {TOKEN}
        self.faults.records.clear()
        self.config.rate_limits = False
        self.config.hubspot_tier = 100


def serve() -> Iterator[Env]:
    """Start uvicorn on a free localhost port in a thread; yield the Env; stop it."""
    env = Env(HubSpotStore(), Tokens(), Faults(), Config(), Clock())
    app = Starlette(routes=routes(env))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)  # waiting for the server thread to bind, not a test delay
    env.host = f"http://127.0.0.1:{port}"
    yield env
    server.should_exit = True
    thread.join(5)


@pytest.fixture(scope="session")
def hs_server() -> Iterator[Env]:
    """One HubSpot emulator server for the test session."""
    yield from serve()


@pytest.fixture
def hs_env(hs_server: Env) -> Env:
    """The server with a fresh, empty portal, no faults, rate limits off."""
    hs_server.reset()
    return hs_server


@pytest.fixture
def hs(hs_env: Env) -> HubSpot:
    """An unmodified `hubspot.HubSpot` client pointed at the emulator."""
    return hs_env.client()
