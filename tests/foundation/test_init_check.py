"""``crm-bridge init`` + ``check`` on the shipped example, through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.foundation.conftest import Run


def test_init_then_check_exits_0_as_a_subprocess(tmp_path: Path) -> None:
    exe = [sys.executable, "-c", "from crm_bridge.cli import main; main()"]
    init = subprocess.run([*exe, "init", "myproj"], cwd=tmp_path, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "myproj" / "connectors" / "salesforce.yaml").is_file()
    assert (tmp_path / "myproj" / "jobs" / "hourly-alignment.yaml").is_file()
    assert (tmp_path / "myproj" / "mappings" / "lifecycle.yaml").is_file()
    check = subprocess.run(
        [*exe, "--project", "myproj", "check"], cwd=tmp_path, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    assert "hourly-alignment" in check.stdout
    assert "Traceback" not in check.stdout + check.stderr


def test_init_refuses_to_overwrite_without_force(project: Path, run: Run) -> None:
    target = project / "jobs" / "hourly-alignment.yaml"
    target.write_text("# mine\n", encoding="utf-8")
    again = run("init", str(project))
    assert again.exit_code == 2
    assert "already exists" in again.output
    assert target.read_text(encoding="utf-8") == "# mine\n"
    forced = run("init", str(project), "--force")
    assert forced.exit_code == 0
    assert "schedule" in target.read_text(encoding="utf-8")


def test_check_json_summary(project: Path, run: Run) -> None:
    result = run("--project", str(project), "check", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert {c["name"] for c in data["connections"]} == {"salesforce", "hubspot", "sandbox"}
    assert {"fields.yaml", "lifecycle.yaml"} <= set(data["mapping_files"])
    job = next(j for j in data["jobs"] if j["name"] == "hourly-alignment")
    assert job["source"] == ["salesforce", "hubspot"]


def test_project_from_environment_variable(project: Path, run: Run) -> None:
    result = run("check", env={"CRM_BRIDGE_PROJECT": str(project)})
    assert result.exit_code == 0, result.output
    assert "salesforce" in result.output


def test_per_command_project_option(project: Path, run: Run) -> None:
    result = run("check", "--project", str(project))
    assert result.exit_code == 0, result.output


def test_missing_project_folder(tmp_path: Path, run: Run) -> None:
    result = run("--project", str(tmp_path / "nope"), "check")
    assert result.exit_code == 2
    assert "project folder does not exist" in result.output
    assert "Traceback" not in result.output


def test_check_credentials_passes_when_variables_are_set(project: Path, run: Run) -> None:
    env = {
        "CRM_BRIDGE_SALESFORCE__USERNAME": "int@example.com",
        "CRM_BRIDGE_SALESFORCE__PASSWORD": "pw-value-1",
        "CRM_BRIDGE_SALESFORCE__SECURITY_TOKEN": "tok-value-2",
        "CRM_BRIDGE_HUBSPOT__ACCESS_TOKEN": "pat-value-3",
    }
    # --offline: the values are made up, so do not try to log in to the real CRMs with them
    result = run("--project", str(project), "check", "--credentials", "--offline", env=env)
    assert result.exit_code == 0, result.output
    for secret in env.values():
        if secret != "int@example.com":
            assert secret not in result.output


def test_registered_check_runs_and_sets_exit_code(project: Path, run: Run) -> None:
    from crm_bridge.cli import project_cmds

    def failing(_project: object, _settings: object) -> list[project_cmds.CheckResult]:
        return [project_cmds.CheckResult("salesforce login", "rejected", exit_code=3)]

    project_cmds.register_check(failing)
    try:
        result = run("--project", str(project), "check")
    finally:
        project_cmds._CHECKS.remove(failing)
    assert result.exit_code == 3
    assert "salesforce login" in result.output
    assert "FAILED" in result.output
