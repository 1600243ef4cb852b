"""`SandboxServer`: the sandbox app over HTTPS on 127.0.0.1 in a background thread.

TLS comes from a trustme CA made at start (kept in the data dir when there is one, so the CA
file stays valid across restarts; otherwise in a temporary directory removed on stop). With a
data dir the state is saved every ``save_interval_s`` when something was written, and on stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import trustme
import uvicorn

from crm_bridge.sandbox.app import build_app
from crm_bridge.sandbox.core import Sandbox

START_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class SandboxEndpoint:
    """Everything a client needs to reach a running sandbox."""

    instance_url: str
    hubspot_host: str
    ca_file: str
    salesforce_session_id: str
    hubspot_access_token: str

    def to_json(self) -> dict[str, Any]:
        """The ``serve --json`` line's shape."""
        return {
            "salesforce": {
                "instance_url": self.instance_url,
                "session_id": self.salesforce_session_id,
            },
            "hubspot": {"host": self.hubspot_host, "access_token": self.hubspot_access_token},
            "ca_file": self.ca_file,
        }


class _Server(uvicorn.Server):
    """uvicorn server that remembers its event loop (to run saves on the serving thread)."""

    loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().startup(sockets=sockets)


def _tls_files(directory: Path, persistent: bool) -> tuple[Path, Path]:
    """(CA file, server cert+key file) in ``directory``; reuses a saved CA when persistent."""
    ca_path, ca_key = directory / "ca.pem", directory / "ca-key.pem"
    if persistent and ca_path.exists() and ca_key.exists():
        ca = trustme.CA.from_pem(ca_path.read_bytes(), ca_key.read_bytes())
    else:
        ca = trustme.CA(organization_name="crm-bridge sandbox")
        ca.cert_pem.write_to_path(str(ca_path))
        if persistent:
            ca.private_key_pem.write_to_path(str(ca_key))
            ca_key.chmod(0o600)
    server_pem = directory / "server.pem"
    ca.issue_cert("127.0.0.1", "localhost").private_key_and_cert_chain_pem.write_to_path(
        str(server_pem)
    )
    server_pem.chmod(0o600)
    return ca_path, server_pem


class SandboxServer:
    """Serve a `Sandbox` over HTTPS; use as a context manager or call `start`/`stop`.

    ``SandboxServer(sandbox=None, port=0, **create_kwargs)``: without a sandbox one is made by
    ``Sandbox.create(**create_kwargs)``. ``port=0`` picks a free port.
    """

    def __init__(
        self,
        sandbox: Sandbox | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        save_interval_s: float = 5.0,
        **create_kwargs: Any,
    ) -> None:
        self.sandbox = sandbox if sandbox is not None else Sandbox.create(**create_kwargs)
        self.host = host
        self.port = port
        self.save_interval_s = save_interval_s
        self.ca_file = ""
        self._tmp: Path | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._saver: threading.Thread | None = None
        self._stop = threading.Event()

    # ----- endpoints -----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:PORT``."""
        return f"https://{self.host}:{self.port}"

    @property
    def instance_url(self) -> str:
        """Salesforce ``instance_url``."""
        return self.base_url

    @property
    def hubspot_host(self) -> str:
        """HubSpot client ``host``."""
        return self.base_url

    @property
    def salesforce_session_id(self) -> str:
        """A Salesforce session id valid for the server's life."""
        return self.sandbox.salesforce_session_id

    @property
    def hubspot_access_token(self) -> str:
        """A HubSpot access token valid for the server's life."""
        return self.sandbox.hubspot_access_token

    def endpoint(self) -> SandboxEndpoint:
        """The connection details as a value."""
        return SandboxEndpoint(
            self.instance_url,
            self.hubspot_host,
            self.ca_file,
            self.salesforce_session_id,
            self.hubspot_access_token,
        )

    # ----- lifecycle -----------------------------------------------------------------------
    def start(self) -> SandboxServer:
        """Bind, start serving in a daemon thread and wait until it accepts connections."""
        data_dir = self.sandbox.config.data_dir
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
            tls_dir = data_dir
        else:
            self._tmp = tls_dir = Path(tempfile.mkdtemp(prefix="crm-bridge-sandbox-"))
        ca_path, server_pem = _tls_files(tls_dir, persistent=data_dir is not None)
        self.ca_file = str(ca_path)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this; without it every response waits ~40 ms for the
        # client's delayed ACK (headers and body go out as separate writes).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            build_app(self.sandbox),
            log_level="warning",
            access_log=False,
            ssl_certfile=str(server_pem),
            lifespan="off",
            timeout_keep_alive=30,
        )
        self._server = _Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True, name="sandbox"
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("sandbox server failed to start")
            time.sleep(0.005)  # waiting for uvicorn's thread to listen
        if data_dir is not None:
            self._saver = threading.Thread(target=self._save_loop, daemon=True, name="saver")
            self._saver.start()
        return self

    def save_now(self) -> Path | None:
        """Save the state, serialised on the serving thread (safe while requests run)."""
        server = self._server
        if server is None or server.loop is None or not self._thread or not self._thread.is_alive():
            return self.sandbox.save()

        async def dump() -> bytes:
            return self.sandbox.dump()

        data = asyncio.run_coroutine_threadsafe(dump(), server.loop).result(timeout=300)
        return self.sandbox.save(data)

    def _close_connections(self, idle_only: bool) -> None:
        """Abort keep-alive connections on the serving thread. A TLS close otherwise waits up
        to 30 s for a close_notify from clients that sit idle in their connection pools."""
        server = self._server
        if server is None or server.loop is None or server.loop.is_closed():
            return

        async def close() -> None:
            for conn in list(server.server_state.connections):
                cycle: Any = getattr(conn, "cycle", None)
                idle = cycle is None or getattr(cycle, "response_complete", False)
                transport: Any = getattr(conn, "transport", None)
                if transport is not None and (idle or not idle_only):
                    transport.abort()

        with contextlib.suppress(RuntimeError, TimeoutError):  # loop already stopping
            asyncio.run_coroutine_threadsafe(close(), server.loop).result(timeout=5)

    def _save_loop(self) -> None:
        while not self._stop.wait(self.save_interval_s):
            if self.sandbox.dirty:
                self.save_now()

    def stop(self) -> None:
        """Stop serving, save the state (with a data dir) and remove temporary TLS files."""
        self._stop.set()
        if self._saver is not None:
            self._saver.join(timeout=300)
        if self._server is not None:
            self._close_connections(idle_only=True)
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
            if self._thread.is_alive():
                self._close_connections(idle_only=False)
                self._thread.join(timeout=30)
        if self.sandbox.config.data_dir is not None:
            self.sandbox.save()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
