"""``schedule --once`` alerts a webhook when a job fails (a local HTTP server receives it)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crm_bridge.cli import app

runner = CliRunner()


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, object]]]]:
    received: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


def test_a_failing_job_posts_one_alert_naming_what_to_do(
    tmp_path: Path, webhook: tuple[str, list[dict[str, object]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, received = webhook
    root = tmp_path / "proj"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    for name in ("USERNAME", "PASSWORD", "SECURITY_TOKEN"):
        monkeypatch.delenv(f"CRM_BRIDGE_SALESFORCE__{name}", raising=False)
    monkeypatch.delenv("CRM_BRIDGE_HUBSPOT__ACCESS_TOKEN", raising=False)
    result = runner.invoke(
        app, ["--project", str(root), "schedule", "--once", "--alert-webhook", url]
    )
    assert result.exit_code != 0
    assert received, result.output
    alert = received[0]
    assert alert["status"] == "failed" and alert["job"] in ("hourly-alignment", "nightly-full")
    assert "CRM_BRIDGE_" in str(alert["hint"])  # names the variable to set
    assert "crm-bridge job" in str(alert["text"])
