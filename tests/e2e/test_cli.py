"""``crm-bridge sync --sandbox`` on a temp project: a dry run with ``--export`` prints one JSON
summary and writes the plan; the real run then writes those changes, which the official
clients read back from the project's saved sandbox.

(``tests/cli/test_run_commands.py`` covers sync/runs/revert/schedule bookkeeping; this test
follows the data into the CRMs.)
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from crm_bridge.cli import app
from crm_bridge.jobs.runner import sandbox_profile
from crm_bridge.sandbox.core import STATE_FILE, Sandbox
from crm_bridge.sandbox.server import SandboxServer
from crm_bridge.state.store import open_store
from tests.e2e.conftest import E2E
from tests.e2e.support import audit_keys, make_project, same_across, snapshot

runner = CliRunner()


def cli(project: Path, *args: str) -> dict[str, Any]:
    """Run the CLI; its stdout must be exactly one JSON object, its exit code 0."""
    result = runner.invoke(app, ["--project", str(project), *args])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    summary = json.loads(result.stdout)  # raises on anything else on stdout
    assert isinstance(summary, dict)
    return summary


def test_cli_dry_run_export_then_sync_writes_the_plan(e2e: E2E, tmp_path: Path) -> None:
    root = tmp_path / "revops"
    project = make_project(root)
    data_dir = sandbox_profile(project).data_path(root)
    data_dir.mkdir(parents=True)
    shutil.copy(e2e.state_file, data_dir / STATE_FILE)  # seeded, alignment fields created
    plan_file = tmp_path / "plan.csv"

    dry = cli(root, "sync", "--sandbox", "--dry-run", "--export", str(plan_file), "--json")
    assert dry["dry_run"] is True and dry["status"] == "succeeded"
    assert dry["fields_written"] == 0
    with plan_file.open(encoding="utf-8", newline="") as fh:
        plan = list(csv.DictReader(fh))
    assert len(plan) == dry["planned_changes"] > 0

    real = cli(root, "sync", "--sandbox", "--json")
    assert real["status"] == "succeeded" and real["dry_run"] is False
    assert real["fields_written"] == len(plan)
    assert real["record_errors_total"] == 0

    # the real run wrote exactly the planned fields (its audit, in the project's state store)
    with open_store(f"sqlite:///{root / '.crm-bridge' / 'state.db'}") as store:
        applied = {key[:4] for key in audit_keys(store, real["run_id"])}
    assert applied == {(r["crm"], r["object"], r["id"], r["field"]) for r in plan}

    # the project's sandbox (saved when the command ended) holds the planned values; times
    # derived from the clock (stage entered, SLA due) are those of the later, real run
    sandbox = Sandbox.create(data_dir=data_dir, rate_limits=False)
    with SandboxServer(sandbox) as server:
        after = snapshot(server)
    for row in plan:
        now = after[(row["crm"], row["object"], row["id"])][row["field"]]
        assert same_or_later(now, row["after"] or None), row


def same_or_later(now: str | None, planned: str | None) -> bool:
    """The planned value, or for a time a value no earlier than planned."""
    if now is not None and planned is not None:
        try:
            return datetime.fromisoformat(now) >= datetime.fromisoformat(planned)
        except ValueError:
            pass
    return same_across(now, planned)
