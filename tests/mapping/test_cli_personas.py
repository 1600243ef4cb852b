"""``crm-bridge personas classify``: JSON lines, table, column errors, bad rules file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from crm_bridge.cli import app

from .conftest import EXAMPLE

runner = CliRunner()


def project(tmp_path: Path) -> Path:
    (tmp_path / "mappings").mkdir()
    shutil.copy(EXAMPLE / "personas.yaml", tmp_path / "mappings" / "personas.yaml")
    return tmp_path


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
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [set(line) for line in lines] == [
        {"title", "function", "seniority", "persona", "buying_role", "rule"}
    ] * 2
    assert lines[0]["function"] == "finance" and lines[0]["seniority"] == "vp"
    assert lines[0]["buying_role"] == "decision_maker" and "function:finance" in lines[0]["rule"]
    assert lines[1]["function"] == "unknown" and lines[1]["persona"] is None


def test_table_and_errors(tmp_path: Path) -> None:
    csv_file = tmp_path / "export.csv"
    csv_file.write_text("title\nHead of Marketing\n", encoding="utf-8")
    proj = project(tmp_path)
    result = runner.invoke(app, ["personas", "classify", str(csv_file), "-p", str(proj)])
    assert result.exit_code == 0 and "marketing" in result.output and "director" in result.output
    missing = runner.invoke(
        app, ["personas", "classify", str(csv_file), "--column", "x", "-p", str(proj)]
    )
    assert missing.exit_code == 2 and "no column 'x'" in missing.output
    (proj / "mappings" / "personas.yaml").write_text(
        "rules:\n  - {id: a, keywords: [x], function: boss}\n"
    )
    bad = runner.invoke(app, ["personas", "classify", str(csv_file), "-p", str(proj)])
    assert bad.exit_code == 2 and "rules.0.function" in bad.output
