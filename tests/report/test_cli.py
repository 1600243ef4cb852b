"""``crm-bridge report --sample``: HTML/JSON/CSV, --since, usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crm_bridge.cli import app
from crm_bridge.cli.report import parse_since


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_sample_html(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "--sample", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>")
    assert text.count('<svg class="chart"') == 13
    assert "2026-03-01 to 2026-03-31" in text


def test_sample_json_and_csv_on_stdout(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", "--sample", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["kpis"]["funnel"]["reached"]["stage:mql"] == 8
    assert doc["report"]["source"] == "built-in sample data"
    result = runner.invoke(app, ["report", "--sample", "--format", "csv"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "section,metric,group,value"
    assert "sla_compliance,compliance_pct,all,50.0" in lines


def test_since_narrows_the_period(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", "--sample", "--format", "json", "--since", "2026-03-25"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["report"]["period_start"] == "2026-03-25T00:00:00+00:00"
    # D5, D6, D7 (all the won deals) closed before 03-25.
    assert doc["kpis"]["marketing"]["revenue_amount"]["all"] == 0.0
    assert doc["kpis"]["funnel"]["reached"]["stage:lead"] == 0


def test_bad_since_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", "--sample", "--since", "last tuesday"])
    assert result.exit_code == 2
    assert "not a date" in result.output


def test_parse_since() -> None:
    assert parse_since("2026-03-05").isoformat() == "2026-03-05T00:00:00+00:00"
    assert parse_since("2026-03-05T10:00:00+02:00").isoformat() == "2026-03-05T08:00:00+00:00"
