"""Data-dir persistence: save/load round trip, restart keeps data/tokens/CA, CLI serve/reset."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from typer.testing import CliRunner

from crm_bridge.cli import app
from crm_bridge.sandbox.clients import hubspot_client, salesforce_client
from crm_bridge.sandbox.core import STATE_FILE, Sandbox
from crm_bridge.sandbox.server import SandboxServer


def _comparable(sb: Sandbox) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(sb.dump())
    state["salesforce"].pop("counter")  # the id counter may move on each dump
    return state


def test_save_then_load_restores_the_same_state(tmp_path: Path) -> None:
    sb = Sandbox.create(records=120, seed=5, data_dir=tmp_path)
    assert sb.save() == tmp_path / STATE_FILE
    again = Sandbox.create(records=999, seed=1, data_dir=tmp_path)  # saved config wins
    assert again.config.records == 120 and again.config.seed == 5
    assert again.config.now == sb.config.now
    assert _comparable(again) == _comparable(sb)
    assert again.salesforce_session_id == sb.salesforce_session_id
    assert again.world == sb.world


def test_restart_keeps_writes_tokens_and_ca(tmp_path: Path) -> None:
    with SandboxServer(records=120, seed=5, data_dir=tmp_path) as first:
        sf: Any = salesforce_client(first)
        created = sf.Lead.create({"LastName": "Keeper", "Company": "Persist Inc."})
        assert first.sandbox.dirty
        assert first.save_now() == tmp_path / STATE_FILE
        assert not first.sandbox.dirty
        hs = hubspot_client(first)
        hs.crm.contacts.basic_api.create(
            simple_public_object_input_for_create={"properties": {"email": "kept@persist.io"}}
        )
        endpoint = first.endpoint()
        ca_pem = Path(first.ca_file).read_bytes()
    # stop() saved the HubSpot write made after save_now()
    with SandboxServer(data_dir=tmp_path) as second:
        assert Path(second.ca_file).read_bytes() == ca_pem
        old = replace(endpoint, instance_url=second.instance_url, hubspot_host=second.base_url)
        sf2: Any = salesforce_client(old)
        assert sf2.Lead.get(created["id"])["LastName"] == "Keeper"
        found = hubspot_client(old).crm.contacts.basic_api.get_by_id(
            "kept@persist.io", id_property="email"
        )
        assert found.properties["email"] == "kept@persist.io"


def test_cli_reset_forgets_saved_state(tmp_path: Path) -> None:
    Sandbox.create(records=50, data_dir=tmp_path).save()
    result = CliRunner().invoke(app, ["sandbox", "reset", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / STATE_FILE).exists()
    usage = CliRunner().invoke(app, ["sandbox", "reset"])
    assert usage.exit_code == 2


def test_cli_serve_json_line_works_with_clients_and_saves_on_sigterm(tmp_path: Path) -> None:
    cmd = [sys.executable, "-c", "from crm_bridge.cli import main; main()", "sandbox", "serve",
           "--port", "0", "--records", "80", "--json", "--data-dir", str(tmp_path)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        info = json.loads(line)
        assert set(info) == {"salesforce", "hubspot", "ca_file"}
        ep = SimpleNamespace(
            instance_url=info["salesforce"]["instance_url"],
            salesforce_session_id=info["salesforce"]["session_id"],
            hubspot_host=info["hubspot"]["host"],
            hubspot_access_token=info["hubspot"]["access_token"],
            ca_file=info["ca_file"],
        )
        assert salesforce_client(ep).query("SELECT Id FROM Contact LIMIT 1")["totalSize"] == 1
        assert hubspot_client(ep).crm.companies.basic_api.get_page(limit=1).results
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    assert proc.stdout.read() == ""  # exactly one line
    assert (tmp_path / STATE_FILE).exists()
