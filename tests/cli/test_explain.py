"""``crm-bridge explain`` through the CLI on a small sandbox project: by email and by id (JSON
with link, stage and reason, persona and rule), text output, unknown record and bad argument."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from crm_bridge.cli import app
from crm_bridge.jobs.runner import sandbox_session
from crm_bridge.project import load_project

runner = CliRunner()


def cli(project: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--project", str(project), "explain", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("explain") / "revops"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    profile = root / "connectors" / "sandbox.yaml"
    data = yaml.safe_load(profile.read_text())
    data.update(records=60, seed=5, rate_limits=False)
    profile.write_text(yaml.safe_dump(data))
    return root


@pytest.fixture(scope="module")
def email(project: Path) -> str:
    """A person's email in the sandbox world (a contact that is in both CRMs)."""
    with sandbox_session(load_project(project), setup=False) as server:
        people = server.sandbox.world.people
    for p in people:
        sf, hs = p.salesforce, p.hubspot
        if sf is None or hs is None or sf.kind != "contact" or p.duplicate_of:
            continue
        if sf.fields.email and sf.fields.email.lower() == (hs.fields.email or "").lower():
            return sf.fields.email
    raise AssertionError("no person in both CRMs")


@pytest.fixture(scope="module")
def by_email(project: Path, email: str) -> dict[str, Any]:
    code, out, err = cli(project, email, "--sandbox", "--json")
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_by_email_json(email: str, by_email: dict[str, Any]) -> None:
    data = by_email
    assert data["query"] == {"kind": "email", "value": email.lower()}
    sf, hs = data["records"]["salesforce"], data["records"]["hubspot"]
    assert sf["object_type"] == "Contact" and hs["object_type"] == "contacts"
    assert data["link"]["method"] == "email"
    assert data["link"]["salesforce"] == sf["ref"] and data["link"]["hubspot"] == hs["ref"]
    life = data["lifecycle"]
    assert life["stage"] in life["conditions_met"] and life["reason"] == f"stage:{life['stage']}"
    persona = data["persona"]
    assert persona["function"] and persona["seniority"] and persona["buying_role"]
    if persona["function"] != "unknown":
        assert f"function:{persona['function_rule']}" in persona["rule"]
    assert {"salesforce", "hubspot"} == set(data["alignment"])


def test_by_salesforce_and_hubspot_id(project: Path, by_email: dict[str, Any]) -> None:
    records = by_email["records"]
    for record_id in (records["salesforce"]["id"], records["hubspot"]["id"]):
        code, out, err = cli(project, record_id, "hourly-alignment", "--sandbox", "--json")
        assert code == 0, err
        again = json.loads(out)
        assert again["query"]["value"] == record_id
        assert again["records"] == records
        assert again["lifecycle"]["stage"] == by_email["lifecycle"]["stage"]
        assert again["persona"]["rule"] == by_email["persona"]["rule"]


def test_text_output(project: Path, email: str) -> None:
    code, out, err = cli(project, email, "--sandbox")
    assert code == 0, err
    for part in ("Lifecycle", "Persona", "Mapped fields", "link        email", "would write"):
        assert part in out


def test_unknown_email_exits_1_and_bad_argument_2(project: Path) -> None:
    code, out, err = cli(project, "nobody@example.org", "--sandbox", "--json")
    assert code == 1 and out == ""
    assert "no record with the email nobody@example.org" in err
    code, _, err = cli(project, "not-an-id", "--sandbox")
    assert code == 2 and "neither an email" in err
