"""Shared fixtures: the sample inputs, their figures and the rendered sample report."""

from __future__ import annotations

import pytest

from crm_bridge.report.build import build_report
from crm_bridge.report.figures import Figures, compute
from crm_bridge.report.html import ReportDoc, render_html
from crm_bridge.report.inputs import ReportInputs
from crm_bridge.report.sample import END, sample_inputs


@pytest.fixture(scope="session")
def inputs() -> ReportInputs:
    return sample_inputs()


@pytest.fixture(scope="session")
def figures(inputs: ReportInputs) -> Figures:
    return compute(inputs)


@pytest.fixture(scope="session")
def doc(inputs: ReportInputs) -> ReportDoc:
    return build_report(inputs, title="Alignment", source="sample", generated_at=END)


@pytest.fixture(scope="session")
def html(doc: ReportDoc) -> str:
    return render_html(doc)
