"""``crm-bridge report --sandbox`` end to end, and a clear exit 2 without credentials.

The project is a copy of the example project with a small sandbox (see ``scenario.py``), the
saved sandbox installed as its sandbox data, which ``--sandbox`` loads.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crm_bridge.cli import app
from crm_bridge.report.browser import check_page
from tests.report import scenario
from tests.report.test_collect import json_matches_html
from tests.report.test_html import EXPECTED_CHARTS, _chromium_or_fail

runner = CliRunner()


@pytest.fixture(scope="module")
def project(scenario_state: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "revops"
    scenario.install_state(scenario_state, scenario.make_project(root))
    return root


@pytest.fixture(scope="module")
def report_html(project: Path) -> Path:
    out = project / "report.html"
    result = runner.invoke(app, ["report", "--sandbox", "-p", str(project), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_sandbox_report_is_one_self_contained_file(report_html: Path) -> None:
    html = report_html.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert "source: sandbox · job hourly-alignment · full dry run" in html
    assert sorted(re.findall(r'<svg class="chart" data-chart="([^"]+)"', html)) == sorted(
        EXPECTED_CHARTS
    )
    assert 'class="chart empty"' not in html
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=", html)
    assert "http://" not in html and "https://" not in html
    assert "@import" not in html and "url(" not in html


def test_json_format_gives_the_numbers_of_the_html(project: Path, report_html: Path) -> None:
    result = runner.invoke(app, ["report", "--sandbox", "-p", str(project), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["report"]["source"].startswith("sandbox · job hourly-alignment")
    json_matches_html(doc["kpis"], report_html.read_text(encoding="utf-8"))


@pytest.mark.skipif(
    os.environ.get("CRM_BRIDGE_NO_BROWSER") == "1",
    reason="CRM_BRIDGE_NO_BROWSER=1 set explicitly",
)
def test_headless_chromium_draws_the_sandbox_report(report_html: Path) -> None:
    _chromium_or_fail()
    check = check_page(report_html)
    assert check.script_errors == 0, check.last_error
    assert check.charts_expected == check.charts_drawn == len(EXPECTED_CHARTS)


def test_real_connections_without_credentials_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("CRM_BRIDGE_"):
            monkeypatch.delenv(name)
    root = tmp_path / "revops"
    scenario.make_project(root)
    out = tmp_path / "r.html"
    result = runner.invoke(app, ["report", "-p", str(root), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "CRM_BRIDGE_SALESFORCE__" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unknown_job_exits_2(project: Path) -> None:
    result = runner.invoke(app, ["report", "--sandbox", "-p", str(project), "--job", "nope"])
    assert result.exit_code == 2
    assert "no job 'nope'" in result.output
