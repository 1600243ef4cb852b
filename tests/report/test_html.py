"""The rendered report: every chart present with real data, offline, and drawn by Chromium."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from crm_bridge.report.browser import BrowserMissing, check_page, find_chromium
from crm_bridge.report.html import ReportDoc, chart_ids

EXPECTED_CHARTS = {
    "funnel",
    "speed_by_team",
    "speed_by_owner",
    "sla_by_team",
    "sla_by_owner",
    "breaches_by_owner",
    "stalled_by_stage",
    "marketing_contribution",
    "marketing_by_source",
    "lost_by_reason",
    "contacts_by_persona",
    "pipeline_by_committee",
    "partner_outcomes",
}
EXPECTED_SECTIONS = [
    "funnel",
    "sla",
    "breaches",
    "stalled",
    "marketing",
    "no_decision",
    "coverage",
    "partner",
]


def test_every_topic_has_a_section_with_figures_charts_and_a_table(doc: ReportDoc) -> None:
    assert [s.id for s in doc.sections] == EXPECTED_SECTIONS
    for section in doc.sections:
        assert section.headline, section.id
        assert section.charts, section.id
        assert section.tables and all(t.rows for t in section.tables), section.id


def test_every_chart_has_non_trivial_data(doc: ReportDoc) -> None:
    charts = [c for s in doc.sections for c in s.charts]
    assert set(chart_ids(doc.sections)) == EXPECTED_CHARTS
    assert len(charts) == len(EXPECTED_CHARTS)
    for chart in charts:
        values = [v for s in chart.series for v in s.values]
        assert not chart.empty, chart.id
        assert len(chart.labels) >= 2, chart.id  # something to compare
        assert sum(1 for v in values if v > 0) >= 2, chart.id


def test_html_has_one_svg_with_marks_per_chart(html: str) -> None:
    drawn = re.findall(r'<svg class="chart" data-chart="([^"]+)"', html)
    assert sorted(drawn) == sorted(EXPECTED_CHARTS)
    assert 'class="chart empty"' not in html
    assert html.count('class="mark"') >= 3 * len(EXPECTED_CHARTS)
    assert f'data-charts-expected="{len(EXPECTED_CHARTS)}"' in html


def test_html_opens_offline(html: str) -> None:
    assert "http://" not in html
    assert "https://" not in html
    assert not re.search(r'\b(src|href)="(?!#)', html)  # only in-page links
    assert "@import" not in html and "url(" not in html


def test_html_escapes_names(doc: ReportDoc) -> None:
    from dataclasses import replace

    from crm_bridge.report.html import render_html

    evil = replace(doc, title="<script>alert(1)</script>")
    assert "<script>alert(1)" not in render_html(evil)


def _chromium_or_fail() -> None:
    try:
        find_chromium()
    except BrowserMissing:
        pytest.fail(
            "chromium is not installed: run .ci/chromium.sh to install Debian's chromium "
            "(or set CRM_BRIDGE_NO_BROWSER=1 to leave the browser test out explicitly)"
        )


@pytest.mark.skipif(
    os.environ.get("CRM_BRIDGE_NO_BROWSER") == "1",
    reason="CRM_BRIDGE_NO_BROWSER=1 set explicitly",
)
def test_headless_chromium_draws_every_chart_without_script_errors(
    html: str, tmp_path: Path
) -> None:
    _chromium_or_fail()
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    check = check_page(page)
    assert check.script_errors == 0, check.last_error
    assert check.charts_expected == len(EXPECTED_CHARTS)
    assert check.charts_drawn == len(EXPECTED_CHARTS)


@pytest.mark.skipif(
    os.environ.get("CRM_BRIDGE_NO_BROWSER") == "1",
    reason="CRM_BRIDGE_NO_BROWSER=1 set explicitly",
)
def test_headless_chromium_reports_script_errors(html: str, tmp_path: Path) -> None:
    # The check itself must be able to fail: a broken script is counted.
    _chromium_or_fail()
    page = tmp_path / "broken.html"
    page.write_text(html.replace("</body>", "<script>undefinedCall();</script></body>"))
    check = check_page(page)
    assert check.script_errors == 1
    assert check.last_error is not None and "undefinedCall" in check.last_error
