"""A period without data still gives a complete report: every section, "no data" charts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crm_bridge.report.build import build_report
from crm_bridge.report.export import to_csv, to_json
from crm_bridge.report.figures import compute
from crm_bridge.report.html import render_html
from crm_bridge.report.inputs import ReportInputs
from crm_bridge.report.sample import END, sample_inputs

SECTIONS = [
    "coverage",
    "funnel",
    "marketing",
    "no_decision",
    "open_breaches",
    "partner",
    "sla_compliance",
    "speed_to_lead",
    "stalled_pipeline",
]


def test_empty_inputs_render_every_section_with_no_data_charts() -> None:
    empty = ReportInputs(period_end=END)
    doc = build_report(empty, title="Empty", source="none", generated_at=END)
    html = render_html(doc)
    assert len(doc.sections) == 8
    assert html.count('class="chart empty"') == sum(len(s.charts) for s in doc.sections)
    assert "No data for this period." in html
    assert "all history to 2026-03-31" in html


def test_json_keys_are_stable_whatever_the_data() -> None:
    def keys(inputs: ReportInputs) -> list[str]:
        text = to_json(
            compute(inputs),
            title="t",
            source="s",
            generated_at=END,
            period_start=None,
            period_end=END,
        )
        return sorted(json.loads(text)["kpis"])

    assert keys(sample_inputs()) == SECTIONS
    assert keys(ReportInputs(period_end=END)) == SECTIONS
    # Null, not 0, where a figure cannot be computed; CSV leaves the cell empty.
    assert "speed_to_lead,median_hours,all,\n" in to_csv(compute(ReportInputs(period_end=END)))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ReportInputs(period_end=datetime(2026, 3, 31))
    assert ReportInputs(period_end=datetime(2026, 3, 31, tzinfo=UTC)).period_start is None
