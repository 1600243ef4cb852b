"""``crm-bridge personas classify``: JSON lines, table, column errors, config errors through the
project loader (``FILE:LINE: key: expected …, found …``, exit 2), shipped rules as fallback."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from crm_bridge.cli import app

runner = CliRunner()


def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    return root


def test_json_lines(tmp_path: Path) -> None:
    csv_file = tmp_path / "export.csv"
    csv_file.write_text("Name,Job Title\nAnn,VP Finance\nBob,n/a\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "personas",
            "classify",
            str(csv_file),
            "--column",
            "job title",
            "--json",
            "--project",
            str(project(tmp_path)),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [list(line) for line in lines] == [
        ["title", "function", "seniority", "persona", "buying_role", "rule"]
    ] * 2
    assert lines[0]["function"] == "finance" and lines[0]["seniority"] == "vp"
    assert lines[0]["buying_role"] == "decision_maker" and "function:finance" in lines[0]["rule"]
    assert lines[1]["function"] == "unknown" and lines[1]["persona"] is None


def test_table_and_errors(tmp_path: Path) -> None:
    csv_file = tmp_path / "export.csv"
    csv_file.write_text("title\nHead of Marketing\n", encoding="utf-8")
    proj = project(tmp_path)
    # the global --project option works too
    result = runner.invoke(app, ["-p", str(proj), "personas", "classify", str(csv_file)])
    assert result.exit_code == 0 and "marketing" in result.output and "director" in result.output
    missing = runner.invoke(
        app, ["personas", "classify", str(csv_file), "--column", "x", "-p", str(proj)]
    )
    assert missing.exit_code == 2 and "no column 'x'" in missing.output
    (proj / "mappings" / "personas.yaml").write_text(
        "rules:\n  - {id: a, keywords: [x], function: boss}\n"
    )
    bad = runner.invoke(app, ["personas", "classify", str(csv_file), "-p", str(proj)])
    assert bad.exit_code == 2
    assert "mappings/personas.yaml:2: rules[0].function: expected one of" in bad.output
    assert "found 'boss'" in bad.output


def test_other_config_errors_and_shipped_rules(tmp_path: Path) -> None:
    csv_file = tmp_path / "export.csv"
    csv_file.write_text("title\nCFO\n", encoding="utf-8")
    proj = project(tmp_path)
    (proj / "mappings" / "personas.yaml").unlink()  # optional file: the shipped rules apply
    ok = runner.invoke(app, ["personas", "classify", str(csv_file), "--json", "-p", str(proj)])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["seniority"] == "c_level"
    (proj / "mappings" / "lifecycle.yaml").unlink()
    broken = runner.invoke(app, ["personas", "classify", str(csv_file), "-p", str(proj)])
    assert broken.exit_code == 2
    assert "mappings/lifecycle.yaml: required file is missing" in broken.output
