"""Report inputs collected from a full dry run on a small sandbox (150 people, seed 7).

One run (the ``sandbox_report`` fixture) feeds every test here: every chart has real data, the
run writes nothing, people and owners come out right, and the JSON export carries the numbers
the HTML shows.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from crm_bridge.report.build import build_report, money
from crm_bridge.report.export import to_json
from crm_bridge.report.figures import compute
from crm_bridge.report.html import render_html
from crm_bridge.report.inputs import ReportInputs
from tests.report.conftest import SandboxReport
from tests.report.scenario import HANDOVERS, LOSS_REASONS
from tests.report.test_html import EXPECTED_CHARTS, EXPECTED_SECTIONS

# The sandbox's reps all sit in one team, and on a first run only a couple of MQLs have a
# stopped first-contact clock, so these charts have one bar; every other chart compares >= 2.
ONE_BAR_OK = {"speed_by_team", "speed_by_owner", "sla_by_team"}


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
        assert owner.team == "Sales"
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
    fig = compute(sandbox_report.collected.inputs)
    assert fig.partner == {
        "accepted": 2,  # Accepted, Working
        "converted": 2,  # Closed Won, Converted
        "recycled": 1,  # Returned
        "lost": 1,  # Rejected
        "no_response": 2,  # no answer, deadline passed
        "pending": 2,  # handed over just now
    }
    assert sum(r.leads for r in fig.partner_by_partner) == len(HANDOVERS)
    reasons = set(fig.lost_by_reason)
    assert reasons >= set(LOSS_REASONS)
    no_decision = {"No decision", "Status quo", "Went dark"}
    expected = sum(v.amount for k, v in fig.lost_by_reason.items() if k in no_decision)
    assert fig.no_decision.no_decision.amount == expected > 0


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
