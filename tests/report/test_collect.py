"""Report inputs collected from a full dry run on a small sandbox (150 people, seed 7).

One run (the ``sandbox_report`` fixture) feeds every test here: every chart has real data
(with at least two bars), the run writes nothing, people, owners and teams come out right,
partner outcomes and loss reasons match the sandbox's generated World, speed to lead counts
from the first sales touch, and the JSON export carries the numbers the HTML shows.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta

from crm_bridge.report.build import build_report, money
from crm_bridge.report.export import to_json
from crm_bridge.report.figures import NO_REASON, compute
from crm_bridge.report.html import render_html
from crm_bridge.report.inputs import ReportInputs
from tests.report.conftest import SandboxReport
from tests.report.scenario import (
    SALES_TEAMS,
    expected_loss_reasons,
    expected_partner_outcomes,
)
from tests.report.test_html import EXPECTED_CHARTS, EXPECTED_SECTIONS

# In this small sandbox (eight reps) the open SLA breaches are the partner desk's: its one rep
# owns every partner lead nobody answered. Every other chart compares >= 2 bars.
ONE_BAR_OK = {"breaches_by_owner"}


def test_every_section_and_chart_has_real_data(sandbox_report: SandboxReport) -> None:
    inputs = sandbox_report.collected.inputs
    doc = build_report(inputs, title="t", source="sandbox", generated_at=inputs.period_end)
    assert [s.id for s in doc.sections] == EXPECTED_SECTIONS
    charts = {c.id: c for s in doc.sections for c in s.charts}
    assert set(charts) == EXPECTED_CHARTS
    for chart in charts.values():
        values = [v for s in chart.series for v in s.values]
        assert not chart.empty, chart.id
        assert any(v > 0 for v in values), chart.id
        if chart.id not in ONE_BAR_OK:
            assert len(chart.labels) >= 2, chart.id
    for section in doc.sections:
        assert section.tables and all(t.rows for t in section.tables), section.id
    assert 'class="chart empty"' not in render_html(doc)


def test_the_report_run_writes_nothing(sandbox_report: SandboxReport) -> None:
    summary = sandbox_report.collected.summary
    assert summary.dry_run and summary.status == "succeeded"
    assert sandbox_report.write_calls == 0
    assert summary.counts["salesforce", "Lead"].read > 0  # a full read of every record


def test_people_are_counted_once_across_both_crms(sandbox_report: SandboxReport) -> None:
    inputs = sandbox_report.collected.inputs
    people = [lead.ref for lead in inputs.leads]
    assert len(people) == len(set(people)) > 100
    assert set(inputs.personas) == set(people)
    on_deals = [c for d in inputs.deals for c in d.contacts]
    assert on_deals and set(on_deals) <= set(people)  # every CRM copy maps to the person's key
    for deal in inputs.deals:
        assert len(deal.contacts) == len(set(deal.contacts))
    crms = Counter(ref.crm for ref in people)
    assert crms["salesforce"] and crms["hubspot"]  # HubSpot-only people keep their own key


def test_owners_have_names_and_teams(sandbox_report: SandboxReport) -> None:
    inputs = sandbox_report.collected.inputs
    owners = {lead.owner for lead in inputs.leads} | {d.owner for d in inputs.deals}
    assert len(owners) >= 3
    for owner in owners:
        assert owner.owner and re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", owner.owner), owner
        assert owner.team in SALES_TEAMS, owner
    assert {lead.owner.team for lead in inputs.leads} >= {"SDR East", "SDR West", "Partner desk"}
    assert {d.owner.team for d in inputs.deals} == {"AE Enterprise", "AE Mid-Market"}
    clocks = {c.ref for c in inputs.clocks}
    assert clocks <= set(inputs.all_owners)  # every SLA clock has an owner


def test_funnel_and_clocks(sandbox_report: SandboxReport) -> None:
    inputs = sandbox_report.collected.inputs
    fig = compute(inputs)
    counts = [s.count for s in fig.funnel.steps]
    assert inputs.stage_order[0] == "subscriber" and counts[0] == len(
        [lead for lead in inputs.leads if any(s in inputs.stage_order for s in lead.stages)]
    )
    assert counts == sorted(counts, reverse=True) and counts[-1] > 0
    assert {c.policy for c in inputs.clocks} >= {"mql_first_contact", "partner_acceptance"}
    assert "stall" not in {c.policy for c in inputs.clocks}  # stalls are their own section
    for lead in inputs.leads:
        assert all(t.tzinfo is not None for t in lead.stages.values())


def test_partner_outcomes_and_loss_reasons_from_the_crm(sandbox_report: SandboxReport) -> None:
    inputs = sandbox_report.collected.inputs
    fig = compute(inputs)
    world, project = sandbox_report.world, sandbox_report.project
    expected = expected_partner_outcomes(world, project, inputs.period_end)
    assert set(expected) == {"accepted", "converted", "recycled", "lost", "no_response", "pending"}
    assert fig.partner == dict(expected)
    handed = [p.partner for p in world.people if p.partner is not None]
    assert sum(r.leads for r in fig.partner_by_partner) == len(handed)
    assert {r.partner for r in fig.partner_by_partner} == {h.partner for h in handed}
    reasons = expected_loss_reasons(world)
    assert set(fig.lost_by_reason) == {r or NO_REASON for r in reasons}
    assert fig.no_decision.no_decision.amount == fig.lost_by_reason["No decision"].amount > 0


def test_speed_to_lead_is_measured_from_the_first_sales_touch(
    sandbox_report: SandboxReport,
) -> None:
    inputs = sandbox_report.collected.inputs
    touches = {p.first_sales_touch_at for p in sandbox_report.world.people}
    stopped = [c for c in inputs.clocks if c.policy == inputs.first_contact_policy and c.stopped_at]
    assert len(stopped) >= 2
    assert all(c.stopped_at in touches for c in stopped)  # the first touch, not the last
    speed = compute(inputs).speed.overall
    assert speed.count == len(stopped)
    assert speed.median is not None and timedelta(minutes=10) < speed.median < timedelta(days=1)


def _cells(html: str, section: str) -> list[list[str]]:
    body = html.split(f'<section id="{section}">', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [re.findall(r"<td>(.*?)</td>", r) for r in rows if "<td>" in r]


def json_matches_html(kpis: dict[str, dict[str, dict[str, float]]], html: str) -> None:
    """The KPI numbers of the JSON export are the ones the HTML report shows."""
    funnel = {row[0]: int(row[1]) for row in _cells(html, "funnel")}
    assert funnel == {k[len("stage:") :]: v for k, v in kpis["funnel"]["reached"].items()}
    sla = {row[0]: row[1:4] for row in _cells(html, "sla")}
    for owner, (met, late, breached) in sla.items():
        group = f"owner:{owner}"
        assert [int(met), int(late), int(breached)] == [
            kpis["sla_compliance"][m][group] for m in ("met", "met_late", "breached")
        ]
    marketing = {row[0]: row[1] for row in _cells(html, "marketing")}
    m = kpis["marketing"]
    assert marketing["All deals"].startswith(money(m["pipeline_amount"]["all"]))
    assert marketing["Marketing-sourced"].startswith(money(m["sourced_pipeline_amount"]["all"]))
    lost = {row[0]: (int(row[1]), row[2]) for row in _cells(html, "no_decision")}
    for reason, (count, value) in lost.items():
        assert count == kpis["no_decision"]["lost_count"][f"reason:{reason}"]
        assert value == money(kpis["no_decision"]["lost_amount"][f"reason:{reason}"])
    committee = {row[0]: int(row[1]) for row in _cells(html, "coverage")}
    assert committee == {
        k[len("committee:") :]: v
        for k, v in kpis["coverage"]["open_count"].items()
        if k.startswith("committee:")
    }
    partner = {row[0]: [int(x) for x in row[1:]] for row in _cells(html, "partner")}
    assert funnel and sla and lost and committee and partner
    p = kpis["partner"]
    assert partner == {
        name[len("partner:") :]: [
            p[metric][name] for metric in ("leads", "answered", "no_response", "pending")
        ]
        for name in p["answered"]
    }
    stalled = kpis["stalled_pipeline"]
    assert f'<div class="v">{money(stalled["stalled_amount"]["all"])}</div>' in html


def test_json_export_has_the_numbers_of_the_html_build(sandbox_report: SandboxReport) -> None:
    inputs: ReportInputs = sandbox_report.collected.inputs
    end = inputs.period_end
    html = render_html(build_report(inputs, title="t", source="s", generated_at=end))
    text = to_json(
        compute(inputs), title="t", source="s", generated_at=end, period_start=None, period_end=end
    )
    json_matches_html(json.loads(text)["kpis"], html)
