"""Shared fixtures: the sample inputs, their figures and the rendered sample report; a report
collected from a small sandbox run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from crm_bridge.project import Project
from crm_bridge.report.build import build_report
from crm_bridge.report.figures import Figures, compute
from crm_bridge.report.html import ReportDoc, render_html
from crm_bridge.report.inputs import ReportInputs
from crm_bridge.report.run import Collected, collect_from_job
from crm_bridge.report.sample import END, sample_inputs
from crm_bridge.sandbox.core import Sandbox
from crm_bridge.sandbox.server import SandboxServer
from crm_bridge.sandbox.world import World
from crm_bridge.settings import load_settings
from tests.report import scenario


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


# -- a report collected from a small sandbox run (see tests/report/scenario.py) ----------------


@dataclass(frozen=True)
class SandboxReport:
    """The inputs collected from a full dry run on the scenario sandbox, what it wrote, and
    the sandbox's generated World (the ground truth) and project."""

    collected: Collected
    write_calls: int
    world: World
    project: Project


@pytest.fixture(scope="session")
def scenario_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved sandbox with the alignment fields created (made once)."""
    root = tmp_path_factory.mktemp("scenario")
    project = scenario.make_project(root / "project")
    return scenario.seeded_state(project, root / "state")


@pytest.fixture(scope="session")
def sandbox_report(scenario_state: Path, tmp_path_factory: pytest.TempPathFactory) -> SandboxReport:
    root = tmp_path_factory.mktemp("collect") / "project"
    project = scenario.make_project(root)
    data_dir = scenario.install_state(scenario_state, project)
    with SandboxServer(Sandbox.create(data_dir=data_dir, rate_limits=False)) as server:
        before = _writes(server)
        collected = collect_from_job(project, load_settings(root), server=server)
        writes = _writes(server) - before
        return SandboxReport(collected, writes, server.sandbox.world, project)


def _writes(server: SandboxServer) -> int:
    """Calls to endpoints that change data, both CRMs (searches and batch reads do not)."""
    snap = server.sandbox.calls.snapshot()
    total = 0
    for crm in ("salesforce", "hubspot"):
        for key, n in snap[crm]["endpoints"].items():
            method, _, path = key.partition(" ")
            reads = path.endswith(("/search", "/batch/read"))
            if method in ("PATCH", "PUT", "DELETE") or (method == "POST" and not reads):
                total += n
    return total
