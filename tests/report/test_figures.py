"""KPI figures of the sample data set, computed by hand (see comments) and read back from the
JSON export and the rendered HTML."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from crm_bridge.report.export import to_csv, to_json
from crm_bridge.report.figures import Figures
from crm_bridge.report.inputs import ReportInputs
from crm_bridge.report.sample import END, START


@pytest.fixture(scope="module")
def kpis(figures: Figures) -> dict[str, Any]:
    text = to_json(
        figures, title="t", source="s", generated_at=END, period_start=START, period_end=END
    )
    doc = json.loads(text)
    assert doc["report"]["period_start"] == "2026-03-01T00:00:00+00:00"
    return doc["kpis"]  # type: ignore[no-any-return]


def test_funnel(kpis: dict[str, Any]) -> None:
    # Furthest stage of L1..L10: customer, opportunity, sql, sql, sal, mql, mql, mql, lead, lead.
    # Reached (that stage or later): lead 10, mql 8, sal 5 (L1-L5), sql 4, opportunity 2,
    # customer 1. Conversion: 8/10=80.0, 5/8=62.5, 4/5=80.0, 2/4=50.0, 1/2=50.0; 1/10=10.0.
    f = kpis["funnel"]
    assert f["reached"] == {
        "stage:lead": 10,
        "stage:mql": 8,
        "stage:sal": 5,
        "stage:sql": 4,
        "stage:opportunity": 2,
        "stage:customer": 1,
    }
    assert f["conversion_pct"]["stage:lead"] is None
    assert f["conversion_pct"]["stage:sal"] == 62.5
    assert f["conversion_pct"]["stage:customer"] == 50.0
    assert f["overall_conversion_pct"] == {"all": 10.0}


def test_speed_to_lead(kpis: dict[str, Any]) -> None:
    # Stopped mql_first_contact clocks (hours): L1 1 (Ana), L2 2 (Ana), L3 3 (Ben), L4 6 (Ben),
    # L5 0.5 (Cho), L6 10 (Cho). Sorted 0.5 1 2 3 6 10: median (2+3)/2 = 2.5, p90 = rank
    # ceil(0.9*6)=6 -> 10. EMEA (Ana+Ben) 1 2 3 6: median 2.5, p90 rank ceil(3.6)=4 -> 6.
    # US (Cho) 0.5 10: median 5.25, p90 rank 2 -> 10. Running clocks (L7, L8, C9) not counted.
    s = kpis["speed_to_lead"]
    assert s["responses"]["all"] == 6
    assert s["median_hours"]["all"] == 2.5
    assert s["p90_hours"]["all"] == 10.0
    assert s["median_hours"]["team:Inside sales EMEA"] == 2.5
    assert s["p90_hours"]["team:Inside sales EMEA"] == 6.0
    assert s["median_hours"]["team:Inside sales US"] == 5.25
    assert s["median_hours"]["owner:Ana Ruiz"] == 1.5
    assert s["median_hours"]["owner:Ben Okafor"] == 4.5


def test_sla_compliance(kpis: dict[str, Any]) -> None:
    # met: L1 L2 L3 L5 = 4; met_late: L4 L6 = 2; breached: L7 L8 = 2; C9 on_track not counted.
    # Overall 4/8 = 50.0. EMEA: met 3, late 1, breached 1 (L7, Ana) -> 3/5 = 60.0.
    # US: 1, 1, 1 -> 33.3. Ana: 2 met + 1 breached -> 66.7. Ben: 1 + 1 late -> 50.0.
    c = kpis["sla_compliance"]
    assert (c["met"]["all"], c["met_late"]["all"], c["breached"]["all"]) == (4, 2, 2)
    assert c["compliance_pct"] == {
        "all": 50.0,
        "team:Inside sales EMEA": 60.0,
        "team:Inside sales US": 33.3,
        "owner:Ana Ruiz": 66.7,
        "owner:Ben Okafor": 50.0,
        "owner:Cho Park": 33.3,
    }


def test_open_breaches_and_stalls(kpis: dict[str, Any]) -> None:
    # Breached: L7 (Ana) and L8 (Cho).
    assert kpis["open_breaches"]["open_breaches"] == {
        "all": 2,
        "team:Inside sales EMEA": 1,
        "team:Inside sales US": 1,
        "owner:Ana Ruiz": 1,
        "owner:Cho Park": 1,
    }
    # Stalled: D2 Proposal 50,000, D3 Negotiation 80,000, D4 Discovery 15,000 -> 145,000.
    st = kpis["stalled_pipeline"]
    assert st["stalled_count"]["all"] == 3
    assert st["stalled_amount"] == {
        "all": 145_000.0,
        "stage:Discovery": 15_000.0,
        "stage:Proposal": 50_000.0,
        "stage:Negotiation": 80_000.0,
    }


def test_marketing_contribution(kpis: dict[str, Any]) -> None:
    # Open: D1 20k (Webinar), D2 50k (Outbound, C1 touched), D3 80k (Paid Search), D4 15k
    # (Partner) -> pipeline 165k. Won: D5 40k (Webinar), D6 25k (Outbound, C4 touched), D7 10k
    # (Partner) -> revenue 75k. Sourced pipeline D1+D3 = 100k, revenue D5 = 40k. Influenced
    # pipeline 100k + D2 = 150k, revenue 40k + D6 = 65k. By source (open + won): Webinar
    # D1+D5 = 60k, Paid Search 80k (Event's D8 is lost, so not listed).
    m = kpis["marketing"]
    assert m["pipeline_amount"]["all"] == 165_000.0
    assert m["revenue_amount"]["all"] == 75_000.0
    assert m["sourced_pipeline_amount"]["all"] == 100_000.0
    assert m["sourced_revenue_amount"]["all"] == 40_000.0
    assert m["influenced_pipeline_amount"]["all"] == 150_000.0
    assert m["influenced_pipeline_count"]["all"] == 3
    assert m["influenced_revenue_amount"]["all"] == 65_000.0
    assert m["sourced_amount"] == {"source:Paid Search": 80_000.0, "source:Webinar": 60_000.0}


def test_no_decision(kpis: dict[str, Any]) -> None:
    # Lost: D8 30k "No decision", D9 20k "Price", D10 12k "Status quo" -> 62k; no decision
    # (No decision, Status quo) = D8 + D10 = 42k, 2 of 3 = 66.7 %.
    n = kpis["no_decision"]
    assert n["lost_amount"]["all"] == 62_000.0
    assert n["no_decision_amount"]["all"] == 42_000.0
    assert n["no_decision_count"]["all"] == 2
    assert n["share_pct"]["all"] == 66.7
    assert n["lost_amount"]["reason:Price"] == 20_000.0


def test_coverage(kpis: dict[str, Any]) -> None:
    # People on open deals: L2 (D1), L3 C1 (D2), L4 C2 (D3), C3 (D4) = 6; with a persona L2 L3 L4
    # C2 = 4 -> 66.7 %. Deals with a tagged person: D1 D2 D3 = 150k. Committee complete: D2 50k;
    # decision maker engaged: D1 + D2 = 70k; coverage (50 + 100 + 50 + 0 for D4) / 4 = 50.0.
    c = kpis["coverage"]
    assert c["contacts"]["all"] == 6
    assert c["contacts_with_persona"]["all"] == 4
    assert c["persona_pct"]["all"] == 66.7
    assert c["with_persona_amount"]["all"] == 150_000.0
    assert c["committee_complete_amount"]["all"] == 50_000.0
    assert c["decision_maker_engaged_amount"]["all"] == 70_000.0
    assert c["avg_committee_coverage_pct"]["all"] == 50.0
    assert c["contacts"]["persona:Economic buyer — Finance"] == 2
    assert c["contacts"]["persona:(no persona)"] == 2
    assert c["open_amount"]["committee:missing decision maker"] == 80_000.0
    assert c["open_amount"]["committee:no committee data"] == 15_000.0


def test_partner(kpis: dict[str, Any]) -> None:
    # Acme: accepted, converted, no_response, pending; Northwind: accepted, recycled, lost,
    # no_response. Decided 7, answered 5 -> 71.4 %.
    p = kpis["partner"]
    assert p["leads"]["outcome:accepted"] == 2
    assert p["leads"]["outcome:no_response"] == 2
    assert p["leads"]["outcome:pending"] == 1
    assert p["response_pct"]["all"] == 71.4
    assert p["answered"] == {"partner:Acme Reseller": 2, "partner:Northwind Partners": 3}


def test_csv_is_long_format_of_the_same_figures(figures: Figures, kpis: dict[str, Any]) -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(figures))))
    assert rows and list(rows[0]) == ["section", "metric", "group", "value"]
    seen = 0
    for row in rows:
        value = kpis[row["section"]][row["metric"]][row["group"]]
        assert row["value"] == ("" if value is None else str(value))
        seen += 1
    flat = sum(len(groups) for metrics in kpis.values() for groups in metrics.values())
    assert seen == flat


def test_html_shows_the_hand_computed_figures(html: str) -> None:
    for text in (
        "62.5%",  # MQL -> SAL
        "2.5 h",  # median speed to lead
        "10.0 h",  # p90
        "4 / 2 / 2",  # met / late / breached
        "11 d 5 h",  # L7 overdue: due 03-20 13:00, as of 03-31 18:00
        "$145,000",  # stalled
        "$150,000",  # influenced pipeline
        "$42,000",  # lost to no decision
        "4 of 6 (66.7%)",  # contacts with a persona
        "71.4%",  # partner leads answered
    ):
        assert text in html, text


def test_since_keeps_period_and_open_work(inputs: ReportInputs) -> None:
    from crm_bridge.report.inputs import since
    from crm_bridge.report.sample import _at

    # Lead Ln enters stage s on day 1 + n + 2s. From day 10 on: L6 (stages on days 7 and 9)
    # is the only one with no stage entry on or after day 10.
    narrowed = since(inputs, _at(10, 0))
    assert sorted(lead.ref.id for lead in narrowed.leads) == sorted(
        f"L{n}" for n in range(1, 11) if n != 6
    )
    narrowed = since(inputs, _at(19, 0))
    assert narrowed.leads == []
    # Clocks: L7 (03-20, breached), L8 (03-27, breached), C9 (03-31, open) stay; stopped ones go.
    assert {c.ref.id for c in narrowed.clocks} == {"L7", "L8", "C9"}
    # Closed deals D5..D10 closed on day 10 + 2n (20 .. 30): all still in from day 19.
    assert len(narrowed.deals) == 10
    narrowed = since(inputs, _at(25, 0))
    # Closed on 03-20 (D5), 03-22 (D6), 03-24 (D7) drop; 03-26 (D8), 03-28, 03-30 stay.
    assert {d.ref.id for d in narrowed.deals} == {"D1", "D2", "D3", "D4", "D8", "D9", "D10"}
    assert {s.ref.id for s in narrowed.stalls} == {"D1", "D2", "D3", "D4"}
    # Partner leads are handed over on day 2 + 3i (last: day 23): only the pending one stays.
    assert [p.outcome for p in narrowed.partner_leads] == [None]
    assert narrowed.period_start == _at(25, 0)
