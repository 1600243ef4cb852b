"""sync, runs, runs show, revert and schedule through the CLI, on a small sandbox project."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from crm_bridge.cli import app

runner = CliRunner()


def cli(project: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--project", str(project), *args])
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("proj") / "revops"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    profile = root / "connectors" / "sandbox.yaml"
    data = yaml.safe_load(profile.read_text())
    data.update(records=80, seed=3, rate_limits=False)
    profile.write_text(yaml.safe_dump(data))
    return root


def test_sync_runs_show_revert_and_rerun(project: Path, tmp_path: Path) -> None:
    applied = tmp_path / "applied.csv"
    code, out = cli(project, "sync", "--sandbox", "--json", "--export", str(applied))
    assert code == 0, out
    first = json.loads(out)
    assert first["status"] == "succeeded" and first["fields_written"] > 0
    assert set(first["records"]) == {"salesforce", "hubspot"}
    with applied.open(newline="") as fh:  # a real run exports what it applied (its audit)
        rows = list(csv.DictReader(fh))
    assert len(rows) == first["fields_written"]
    assert {r["crm"] for r in rows} == {"salesforce", "hubspot"} and all(r["field"] for r in rows)

    code, out = cli(project, "runs", "--json")
    listed = json.loads(out)
    assert listed[0]["run_id"] == first["run_id"] and listed[0]["status"] == "succeeded"

    code, out = cli(project, "runs", "show", first["run_id"], "--json")
    assert code == 0 and json.loads(out)["stats"]["fields_written"] == first["fields_written"]

    code, out = cli(project, "revert", first["run_id"], "--sandbox", "--json")
    assert code == 0, out
    reverted = json.loads(out)
    assert reverted["restored"] == first["fields_written"] and reverted["skipped"] == []

    # the next full sync puts the alignment back, the one after has nothing to do
    code, out = cli(project, "sync", "--sandbox", "--full", "--json")
    assert json.loads(out)["fields_written"] == first["fields_written"]
    code, out = cli(project, "sync", "--sandbox", "--json")
    assert json.loads(out)["fields_written"] == 0


def test_runs_show_unknown_run_exits_2(project: Path) -> None:
    code, _ = cli(project, "runs", "show", "r-nope")
    assert code == 2


def test_schedule_once_runs_due_jobs_then_nothing(project: Path) -> None:
    code, _ = cli(project, "schedule", "--once", "--sandbox")
    assert code == 0
    _, out = cli(project, "runs", "--json")
    jobs = {r["job"] for r in json.loads(out)}
    assert "nightly-full" in jobs
    before = len(json.loads(out))
    cli(project, "schedule", "--once", "--sandbox")
    _, out = cli(project, "runs", "--json")
    assert len(json.loads(out)) == before  # nothing was due the second time


def test_sandbox_reset_starts_over_even_with_the_old_sync_state(project: Path) -> None:
    code, out = cli(project, "sync", "--sandbox", "--json")
    assert code == 0 and json.loads(out)["fields_written"] == 0  # converged
    code, _ = cli(project, "sandbox", "reset", "--data-dir", str(project / ".crm-bridge/sandbox"))
    assert code == 0
    code, out = cli(project, "sync", "--sandbox", "--json")  # fresh data, old cursors
    assert code == 0 and json.loads(out)["fields_written"] > 0
    # everything was aligned, not only what changed since the old cursors
    code, out = cli(project, "sync", "--sandbox", "--full", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["planned_changes"] == 0
