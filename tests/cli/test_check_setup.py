"""``crm-bridge check`` connection checks and ``crm-bridge setup`` through the CLI: on the
embedded sandbox (``--sandbox``, persisted in the project), and with a real Salesforce
profile (session auth) pointed at the running test sandbox."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from crm_bridge.cli import app
from crm_bridge.jobs.setup import field_specs
from crm_bridge.model import NATIVE_KINDS
from crm_bridge.project import load_project
from crm_bridge.sandbox.server import SandboxServer

runner = CliRunner()


def cli(project: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--project", str(project), *args], env=env)
    return result.exit_code, result.stdout


def checks(out: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(out)["checks"]
    return rows


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in ("CRM_BRIDGE_SALESFORCE__SESSION_ID", "CRM_BRIDGE_HUBSPOT__ACCESS_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    root = tmp_path / "revops"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    profile = root / "connectors" / "sandbox.yaml"
    data = yaml.safe_load(profile.read_text())
    data.update(records=60, seed=3, rate_limits=False)
    profile.write_text(yaml.safe_dump(data))
    return root


def test_sandbox_check_then_setup_twice_then_check(project: Path) -> None:
    code, out = cli(project, "check", "--sandbox", "--json")
    assert code == 2, out
    rows = checks(out)
    missing = [r for r in rows if "run `crm-bridge setup`" in r["detail"]]
    assert {r["name"] for r in missing} == {"sandbox-salesforce", "sandbox-hubspot"}
    assert all(not r["ok"] for r in missing)
    lead = len(field_specs(load_project(project).fields, "salesforce", "Lead"))
    assert any(r["detail"].startswith(f"Lead: {lead} alignment field(s) missing") for r in missing)

    code, out = cli(project, "setup", "--sandbox", "--dry-run", "--json")
    assert code == 0, out
    planned = json.loads(out)["fields"]
    code, out = cli(project, "setup", "--sandbox", "--json")
    assert code == 0, out
    created = json.loads(out)["fields"]
    assert created == planned and {f["crm"] for f in created} == {"salesforce", "hubspot"}
    assert {
        "connection": "sandbox-hubspot",
        "object": "deals",
        "field": "crmb_stalled",
    }.items() <= (next(f for f in created if f["field"] == "crmb_stalled").items())
    # the sandbox keeps its data in the project: the second run has nothing to create
    result = runner.invoke(app, ["--project", str(project), "setup", "--sandbox"])
    assert result.exit_code == 0 and "nothing to create" in result.output
    assert "created" not in result.output

    code, out = cli(project, "check", "--sandbox", "--json")
    assert code == 0, out
    rows = checks(out)
    assert not [r for r in rows if "crm-bridge setup" in r["detail"]]
    assert all(r["ok"] for r in rows)
    first = {r["name"]: r["detail"] for r in reversed(rows)}
    assert "authenticated (hubspot)" in first["sandbox-hubspot"]
    assert "API budget" in first["sandbox-salesforce"]


def test_check_without_credentials_names_the_variables_and_offline_skips(project: Path) -> None:
    code, out = cli(project, "check", "--json")
    assert code == 0, out
    rows = {r["name"]: r for r in checks(out)}
    assert (
        rows["hubspot"]["warning"]
        and "CRM_BRIDGE_HUBSPOT__ACCESS_TOKEN" in (rows["hubspot"]["detail"])
    )
    assert "CRM_BRIDGE_SALESFORCE__SECURITY_TOKEN" in rows["salesforce"]["detail"]
    code, out = cli(project, "check", "--offline", "--json")
    assert (code, checks(out)) == (0, [])
    code, _ = cli(project, "setup")
    result = runner.invoke(app, ["--project", str(project), "setup"])
    assert code == 2 and "CRM_BRIDGE_HUBSPOT__ACCESS_TOKEN" in result.output


@pytest.fixture
def sf_project(project: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project reduced to one Salesforce connection (session id auth) on the test sandbox,
    reached through simple-salesforce's own session (CA from REQUESTS_CA_BUNDLE)."""
    (project / "connectors" / "hubspot.yaml").unlink()
    (project / "connectors" / "salesforce.yaml").write_text(
        yaml.safe_dump(
            {"kind": "salesforce", "auth": "session", "instance_url": sandbox.instance_url}
        )
    )
    for job in (project / "jobs").glob("*.yaml"):
        spec = yaml.safe_load(job.read_text())
        spec.update(source=["salesforce"], write=["salesforce"])
        job.write_text(yaml.safe_dump(spec))
    for var in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", sandbox.ca_file)
    monkeypatch.setenv("CURL_CA_BUNDLE", sandbox.ca_file)
    return project


def test_real_profile_bad_session_then_setup_and_permissions(
    sf_project: Path, sandbox: SandboxServer
) -> None:
    bad = {"CRM_BRIDGE_SALESFORCE__SESSION_ID": "00Dbad!session"}
    code, out = cli(sf_project, "check", "--json", env=bad)
    assert code == 3, out
    (row,) = checks(out)
    assert row["name"] == "salesforce" and "CRM_BRIDGE_SALESFORCE__SESSION_ID" in row["detail"]
    assert "00Dbad!session" not in out

    good = {"CRM_BRIDGE_SALESFORCE__SESSION_ID": sandbox.sandbox.salesforce_session_id}
    code, out = cli(sf_project, "check", "--json", env=good)
    assert code == 2 and any("crm-bridge setup" in r["detail"] for r in checks(out)), out
    fields = load_project(sf_project).fields
    expected = sum(len(field_specs(fields, "salesforce", o)) for o in NATIVE_KINDS["salesforce"])
    code, out = cli(sf_project, "setup", "--json", env=good)
    assert code == 0 and len(json.loads(out)["fields"]) == expected, out
    assert sandbox.sandbox.salesforce.schemas["Lead"].get("CRMB_Persona__c") is not None
    code, out = cli(sf_project, "setup", "--json", env=good)
    assert (code, json.loads(out)["fields"]) == (0, [])
    code, out = cli(sf_project, "check", "--json", env=good)
    assert code == 0 and all(r["ok"] for r in checks(out)), out

    # field-level security: the integration user may read CRMB_SLA_Due__c but not edit it
    schema = sandbox.sandbox.salesforce.schemas["Contact"]
    schema.add(replace(schema.fields["CRMB_SLA_Due__c"], updateable=False))
    code, out = cli(sf_project, "check", "--json", env=good)
    assert code == 2, out
    (failed,) = [r for r in checks(out) if not r["ok"]]
    assert failed["detail"].startswith("Contact: CRMB_SLA_Due__c is not updateable")
    result = runner.invoke(app, ["--project", str(sf_project), "check"], env=good)
    assert "FAILED" in result.stdout and "Some checks failed" in result.output
