"""``crm-bridge sandbox serve|reset``: run the local Salesforce + HubSpot emulator.

``serve`` prints, for each CRM, the base URL and a token valid for the server's life, and the
CA file to trust (``--json``: exactly one line ``{"salesforce": {"instance_url", "session_id"},
"hubspot": {"host", "access_token"}, "ca_file"}``), then serves until interrupted. With
``--data-dir`` the data (and tokens and CA) persist: loaded at start when present, saved a few
seconds after writes and on shutdown.
"""

from __future__ import annotations

import json
import signal
import threading
from enum import StrEnum
from pathlib import Path
from types import FrameType

import requests
import typer

from crm_bridge.cli import app
from crm_bridge.sandbox.clients import trusting_session
from crm_bridge.sandbox.core import STATE_FILE
from crm_bridge.sandbox.server import SandboxServer

sandbox_app = typer.Typer(
    help="The local Salesforce + HubSpot emulator (HTTPS on 127.0.0.1).", no_args_is_help=True
)
app.add_typer(sandbox_app, name="sandbox")


class OnOff(StrEnum):
    """on/off switch values."""

    on = "on"
    off = "off"


@sandbox_app.command()
def serve(
    port: int = typer.Option(8443, "--port", help="Port on 127.0.0.1; 0 picks a free one."),
    records: int = typer.Option(1000, "--records", min=1, help="People to generate."),
    seed: int = typer.Option(0, "--seed", help="Generator seed."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Keep data, tokens and CA here across restarts."
    ),
    latency_ms: float = typer.Option(0.0, "--latency-ms", min=0, help="Delay per API call."),
    rate_limits: OnOff = typer.Option(OnOff.on, "--rate-limits", help="Enforce CRM limits."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON line of endpoints."),
    save_interval: float = typer.Option(
        5.0, "--save-interval", min=0.1, help="Seconds between saves after writes."
    ),
) -> None:
    """Serve both CRMs until Ctrl-C / SIGTERM."""
    server = SandboxServer(
        port=port,
        save_interval_s=save_interval,
        records=records,
        seed=seed,
        data_dir=data_dir,
        rate_limits=rate_limits is OnOff.on,
        latency_ms=latency_ms,
    )
    try:
        server.start()
    except OSError as exc:
        typer.echo(f"error: cannot listen on 127.0.0.1:{port}: {exc.strerror}", err=True)
        raise typer.Exit(3) from None
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    ep = server.endpoint()
    if as_json:
        typer.echo(json.dumps(ep.to_json(), separators=(",", ":")))
    else:
        typer.echo("crm-bridge sandbox is serving (Ctrl-C to stop)")
        typer.echo(f"  Salesforce  instance_url={ep.instance_url}")
        typer.echo(f"              session_id={ep.salesforce_session_id}")
        typer.echo(f"  HubSpot     host={ep.hubspot_host}")
        typer.echo(f"              access_token={ep.hubspot_access_token}")
        typer.echo(f"  CA file     {ep.ca_file}")
        typer.echo(f"  Admin       {server.base_url}/_sandbox/health")
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()


@sandbox_app.command()
def reset(
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Forget the saved data here (next serve starts seeded)."
    ),
    url: str | None = typer.Option(None, "--url", help="Reset a running sandbox at this URL."),
    ca_file: Path | None = typer.Option(None, "--ca-file", help="CA of the running sandbox."),
) -> None:
    """Back to the seeded state: a data dir's saved state, or a running server."""
    if data_dir is None and url is None:
        typer.echo("error: give --data-dir DIR or --url URL --ca-file FILE", err=True)
        raise typer.Exit(2)
    if data_dir is not None:
        state = data_dir / STATE_FILE
        existed = state.exists()
        state.unlink(missing_ok=True)
        typer.echo(f"{'removed' if existed else 'no saved state at'} {state}")
    if url is not None:
        if ca_file is None:
            typer.echo("error: --url needs --ca-file", err=True)
            raise typer.Exit(2)
        try:
            resp = trusting_session(str(ca_file)).post(
                f"{url.rstrip('/')}/_sandbox/reset", timeout=60
            )
        except requests.RequestException as exc:
            typer.echo(f"error: cannot reach {url}: {type(exc).__name__}", err=True)
            raise typer.Exit(3) from None
        if resp.status_code != 204:
            typer.echo(f"error: {url} answered {resp.status_code}", err=True)
            raise typer.Exit(3)
        typer.echo(f"reset {url}")
