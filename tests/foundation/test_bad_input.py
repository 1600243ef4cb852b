"""Bad project files through ``crm-bridge check``: file, line, key, exit code 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.foundation.conftest import Run

JOB_OK = """\
schedule: "0 * * * *"
source: [salesforce, hubspot]
write: [salesforce, hubspot]
"""

LIFECYCLE_HEAD = """\
stages:
  - name: lead
    when: {field: email, op: is_set}
  - name: mql
    when:
      all:
"""

# (name, file to write, its content, substrings the output must contain)
CASES: list[tuple[str, str, str, list[str]]] = [
    (
        "broken_yaml_syntax",
        "jobs/bad.yaml",
        'schedule: "0 * * * *"\nsource: [salesforce, hubspot\nwrite: [hubspot]\n',
        ["jobs/bad.yaml:", "invalid YAML syntax"],
    ),
    (
        "tab_indentation",
        "connectors/extra.yaml",
        "kind: hubspot\nlimits:\n\tdaily: 1000\n",
        ["connectors/extra.yaml:3:", "tab"],
    ),
    (
        "duplicate_key",
        "jobs/bad.yaml",
        JOB_OK + "mode: apply\nmode: dry_run\n",
        ["jobs/bad.yaml:5: mode:", "duplicate key 'mode' (first defined on line 4)"],
    ),
    (
        "unknown_key",
        "connectors/extra.yaml",
        "kind: sandbox\nseed: 1\ncolour: red\n",
        ["connectors/extra.yaml:3: colour:", "unknown key 'colour' (allowed:", "latency_ms"],
    ),
    (
        "wrong_type",
        "connectors/extra.yaml",
        "kind: sandbox\nrecords: abc\n",
        ["connectors/extra.yaml:2: records:", "expected an integer, found 'abc'"],
    ),
    (
        "unknown_operator",
        "mappings/lifecycle.yaml",
        LIFECYCLE_HEAD + "        - {field: lead_score, op: bogus, value: 60}\n",
        [
            "mappings/lifecycle.yaml:7: stages[1].when.all[0].op:",
            "expected one of eq, ne, in",
            "found 'bogus'",
        ],
    ),
    (
        "in_without_list",
        "mappings/lifecycle.yaml",
        LIFECYCLE_HEAD + "        - {field: lead_status, op: in, value: working}\n",
        ["mappings/lifecycle.yaml:7: stages[1].when.all[0]:", "op 'in' expects a list"],
    ),
    (
        "bad_regex",
        "mappings/lifecycle.yaml",
        LIFECYCLE_HEAD + "        - {field: email, op: matches, value: '([a-z'}\n",
        ["mappings/lifecycle.yaml:7: stages[1].when.all[0]:", "valid regular expression"],
    ),
    (
        "bad_duration",
        "connectors/extra.yaml",
        "kind: hubspot\nlookback: 5 parsecs\n",
        ["connectors/extra.yaml:2: lookback:", "expected a duration such as 30m"],
    ),
    (
        "literal_secret",
        "connectors/extra.yaml",
        "kind: salesforce\nusername: int@example.com\npassword: hunter2-secret\n",
        ["connectors/extra.yaml:3: password:", "secrets must not be written in project files"],
    ),
    (
        "unknown_connection_in_job",
        "jobs/bad.yaml",
        'schedule: "0 * * * *"\nsource: [salesforce, pipedrive]\n',
        ["jobs/bad.yaml:2: source[1]:", "unknown connection 'pipedrive'", "salesforce"],
    ),
    (
        "bad_cron",
        "jobs/bad.yaml",
        'schedule: "61 * * * *"\nsource: [salesforce]\n',
        ["jobs/bad.yaml:1: schedule:", "cron"],
    ),
    (
        "cron_with_wrong_field_count",
        "jobs/bad.yaml",
        'schedule: "every hour"\nsource: [salesforce]\n',
        ["jobs/bad.yaml:1: schedule:", "5 fields"],
    ),
    (
        "bad_timezone",
        "jobs/bad.yaml",
        JOB_OK + "timezone: Mars/Olympus_Mons\n",
        ["jobs/bad.yaml:4: timezone:", "IANA timezone", "Mars/Olympus_Mons"],
    ),
    (
        "bad_kind",
        "connectors/extra.yaml",
        "kind: zoho\n",
        ["connectors/extra.yaml:1: kind:", "expected one of salesforce, hubspot, sandbox"],
    ),
    (
        "batch_size_above_api_max",
        "connectors/extra.yaml",
        "kind: hubspot\nbatch_size: 500\n",
        ["connectors/extra.yaml:2: batch_size:", "≤ 100", "found 500"],
    ),
    (
        "job_batch_size_above_api_max",
        "jobs/bad.yaml",
        JOB_OK + "batch_size: {salesforce: 250}\n",
        ["jobs/bad.yaml:4: batch_size.salesforce:", "≤ 200"],
    ),
    (
        "duplicate_stage_name",
        "mappings/lifecycle.yaml",
        "stages:\n  - name: lead\n    when: {field: email, op: is_set}\n"
        "  - name: lead\n    when: {field: lead_score, op: gte, value: 10}\n",
        ["mappings/lifecycle.yaml:4: stages[1].name:", "'lead' is defined twice"],
    ),
    (
        "unknown_field_in_condition",
        "mappings/lifecycle.yaml",
        LIFECYCLE_HEAD + "        - {field: leed_score, op: gte, value: 60}\n",
        ["mappings/lifecycle.yaml:7: stages[1].when.all[0].field:", "unknown field 'leed_score'"],
    ),
    (
        "unknown_conflict_policy",
        "jobs/bad.yaml",
        JOB_OK + "conflicts: {lifecycle_stage: loudest}\n",
        ["jobs/bad.yaml:4: conflicts.lifecycle_stage:", "expected one of salesforce, hubspot"],
    ),
    (
        "unknown_object",
        "jobs/bad.yaml",
        JOB_OK + "objects: [person, invoice]\n",
        ["jobs/bad.yaml:4: objects[1]:", "expected one of person, account, opportunity"],
    ),
    (
        "missing_required_key",
        "jobs/bad.yaml",
        'schedule: "0 * * * *"\n',
        ["jobs/bad.yaml:1: source:", "required key 'source' is missing"],
    ),
    (
        "hubspot_tier_not_a_real_tier",
        "connectors/extra.yaml",
        "kind: hubspot\nlimits:\n  burst_per_10s: 150\n",
        ["connectors/extra.yaml:3: limits.burst_per_10s:", "expected one of 100, 190"],
    ),
]


@pytest.mark.parametrize(("name", "path", "content", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(
    project: Path, run: Run, name: str, path: str, content: str, expected: list[str]
) -> None:
    (project / path).write_text(content, encoding="utf-8")
    result = run("--project", str(project), "check")
    assert result.exit_code == 2, f"{name}: {result.output}"
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.output, f"{name}: {text!r} not in:\n{result.output}"
    assert "hunter2-secret" not in result.output


def test_all_issues_of_all_files_are_reported(project: Path, run: Run) -> None:
    (project / "jobs" / "a.yaml").write_text(
        'schedule: "0 * * * *"\nsource: [nowhere]\ntimezone: Nowhere/Land\n', encoding="utf-8"
    )
    (project / "connectors" / "x.yaml").write_text(
        "kind: sandbox\nrecords: many\nseed: x\n", encoding="utf-8"
    )
    result = run("--project", str(project), "check")
    assert result.exit_code == 2
    for text in (
        "jobs/a.yaml:3: timezone:",
        "connectors/x.yaml:2: records:",
        "connectors/x.yaml:3: seed:",
    ):
        assert text in result.output, result.output
    assert "problems in the project configuration" in result.output


def test_missing_credential_variable(project: Path, run: Run) -> None:
    env = {"CRM_BRIDGE_SALESFORCE__USERNAME": "int@example.com"}
    result = run("--project", str(project), "check", "--credentials", env=env)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "connectors/salesforce.yaml:16: auth:" in result.output
    assert "CRM_BRIDGE_SALESFORCE__PASSWORD" in result.output
    assert "connectors/hubspot.yaml:13: auth:" in result.output
    assert "CRM_BRIDGE_HUBSPOT__ACCESS_TOKEN" in result.output


def test_missing_credential_names_the_overridden_variable(project: Path, run: Run) -> None:
    hubspot = project / "connectors" / "hubspot.yaml"
    hubspot.write_text(
        "kind: hubspot\nauth: private_app\naccess_token_env: MY_HS_TOKEN\n", encoding="utf-8"
    )
    env = {
        "CRM_BRIDGE_SALESFORCE__USERNAME": "u",
        "CRM_BRIDGE_SALESFORCE__PASSWORD": "p",
        "CRM_BRIDGE_SALESFORCE__SECURITY_TOKEN": "t",
    }
    result = run("--project", str(project), "check", "--credentials", env=env)
    assert result.exit_code == 2
    assert "connectors/hubspot.yaml:3: access_token_env:" in result.output
    assert "MY_HS_TOKEN" in result.output


def test_missing_required_mapping_file(project: Path, run: Run) -> None:
    (project / "mappings" / "fields.yaml").unlink()
    result = run("--project", str(project), "check")
    assert result.exit_code == 2
    assert "mappings/fields.yaml: required file is missing" in result.output


def test_stall_stages_that_the_deal_stage_never_holds_are_warnings(project: Path) -> None:
    from crm_bridge.project import load_project

    def stall_warnings() -> list[str]:
        warnings = load_project(project).warnings
        return [f"{w.file}:{w.line}: {w.key}" for w in warnings if "deal stage" in w.message]

    assert stall_warnings() == []  # the example uses the canonical deal stages
    alignment = project / "mappings" / "alignment.yaml"
    text = alignment.read_text(encoding="utf-8")
    text = text.replace("    negotiation: {", "    Negotiation/Review: {")
    alignment.write_text(text.replace("[won, lost]", "[Won, Closed Lost]"), encoding="utf-8")
    found = stall_warnings()
    assert len(found) == 2 and all(f.startswith("mappings/alignment.yaml:") for f in found)
    assert found[0].endswith("stalls.stages.Negotiation/Review")
    assert found[1].endswith("stalls.ignore_stages[1]")  # Won is a stage (case-insensitive)
    (warning,) = [w for w in load_project(project).warnings if w.key.endswith("[1]")]
    assert "'Closed Lost'" in warning.message and "discovery, qualified" in warning.message
