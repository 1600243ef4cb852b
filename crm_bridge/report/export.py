"""The report's KPIs for BI tools: JSON (one object, stable keys) and long-format CSV.

Both come from the same rows, ``(section, metric, group, value)``: ``group`` is ``all`` for
an overall figure, else ``team:<name>``, ``owner:<name>``, ``stage:<name>``, ``source:<name>``,
``reason:<name>``, ``persona:<name>``, ``committee:<status>``, ``outcome:<name>`` or
``partner:<name>``. Amounts are in the CRM's currency, durations in hours (2 decimals),
percentages 0-100 with one decimal; a figure that cannot be computed (no data) is ``null`` in
JSON and empty in CSV. JSON: ``{"report": {...}, "kpis": {section: {metric: {group: value}}}}``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from crm_bridge.alignment.kpis import Compliance, DealValue, Grouped, Speed
from crm_bridge.report.figures import Figures

Number = int | float | None
ALL = "all"
CSV_COLUMNS = ("section", "metric", "group", "value")


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One figure: which section, which metric, for which group, and its value."""

    section: str
    metric: str
    group: str
    value: Number


def hours(value: timedelta | None) -> float | None:
    """A duration in hours, 2 decimals (``None`` stays ``None``)."""
    return None if value is None else round(value.total_seconds() / 3600, 2)


def _value(section: str, metric: str, group: str, v: DealValue) -> Iterator[MetricRow]:
    yield MetricRow(section, f"{metric}_count", group, v.count)
    yield MetricRow(section, f"{metric}_amount", group, round(v.amount, 2))


def _grouped_speed(g: Grouped[Speed]) -> Iterator[MetricRow]:
    groups = [(ALL, g.overall)]
    groups += [(f"team:{k}", v) for k, v in g.by_team.items()]
    groups += [(f"owner:{k}", v) for k, v in g.by_owner.items()]
    for group, s in groups:
        yield MetricRow("speed_to_lead", "responses", group, s.count)
        yield MetricRow("speed_to_lead", "median_hours", group, hours(s.median))
        yield MetricRow("speed_to_lead", "p90_hours", group, hours(s.p90))


def _grouped_compliance(g: Grouped[Compliance]) -> Iterator[MetricRow]:
    groups = [(ALL, g.overall)]
    groups += [(f"team:{k}", v) for k, v in g.by_team.items()]
    groups += [(f"owner:{k}", v) for k, v in g.by_owner.items()]
    for group, c in groups:
        yield MetricRow("sla_compliance", "met", group, c.met)
        yield MetricRow("sla_compliance", "met_late", group, c.met_late)
        yield MetricRow("sla_compliance", "breached", group, c.breached)
        yield MetricRow("sla_compliance", "compliance_pct", group, c.compliance_pct)


def _values(
    section: str, metric: str, prefix: str, values: Mapping[str, DealValue]
) -> Iterator[MetricRow]:
    for key, v in values.items():
        yield from _value(section, metric, f"{prefix}:{key}", v)


def metric_rows(fig: Figures) -> Iterator[MetricRow]:
    """Every figure of the report as rows, in a stable order."""
    for step in fig.funnel.steps:
        yield MetricRow("funnel", "reached", f"stage:{step.stage}", step.count)
        yield MetricRow("funnel", "conversion_pct", f"stage:{step.stage}", step.conversion_pct)
    yield MetricRow("funnel", "overall_conversion_pct", ALL, fig.funnel.overall_pct)
    yield from _grouped_speed(fig.speed)
    yield from _grouped_compliance(fig.compliance)
    b = fig.breaches
    yield MetricRow("open_breaches", "open_breaches", ALL, len(b.overall))
    for k, clocks in b.by_team.items():
        yield MetricRow("open_breaches", "open_breaches", f"team:{k}", len(clocks))
    for k, clocks in b.by_owner.items():
        yield MetricRow("open_breaches", "open_breaches", f"owner:{k}", len(clocks))
    yield from _value("stalled_pipeline", "stalled", ALL, fig.stalled_total)
    yield from _values("stalled_pipeline", "stalled", "stage", fig.stalled_by_stage)
    m = fig.marketing
    for metric, v in (
        ("pipeline", m.pipeline),
        ("revenue", m.revenue),
        ("sourced_pipeline", m.sourced_pipeline),
        ("sourced_revenue", m.sourced_revenue),
        ("influenced_pipeline", m.influenced_pipeline),
        ("influenced_revenue", m.influenced_revenue),
    ):
        yield from _value("marketing", metric, ALL, v)
    yield from _values("marketing", "sourced", "source", m.sourced_by_source)
    n = fig.no_decision
    yield from _value("no_decision", "lost", ALL, n.lost)
    yield from _value("no_decision", "no_decision", ALL, n.no_decision)
    yield MetricRow("no_decision", "share_pct", ALL, n.share_pct)
    yield from _values("no_decision", "lost", "reason", fig.lost_by_reason)
    c = fig.coverage
    yield from _value("coverage", "open", ALL, c.open)
    yield MetricRow("coverage", "contacts", ALL, c.contacts)
    yield MetricRow("coverage", "contacts_with_persona", ALL, c.contacts_with_persona)
    yield MetricRow("coverage", "persona_pct", ALL, c.persona_pct)
    yield from _value("coverage", "with_persona", ALL, c.with_persona)
    yield from _value("coverage", "committee_complete", ALL, c.committee_complete)
    yield from _value("coverage", "decision_maker_engaged", ALL, c.decision_maker_engaged)
    yield MetricRow("coverage", "avg_committee_coverage_pct", ALL, c.avg_committee_coverage_pct)
    for persona, count in fig.contacts_by_persona.items():
        yield MetricRow("coverage", "contacts", f"persona:{persona}", count)
    yield from _values("coverage", "open", "committee", fig.pipeline_by_committee)
    for outcome, count in fig.partner.items():
        yield MetricRow("partner", "leads", f"outcome:{outcome}", count)
    yield MetricRow("partner", "response_pct", ALL, fig.partner_response_pct)
    for row in fig.partner_by_partner:
        group = f"partner:{row.partner}"
        yield MetricRow("partner", "leads", group, row.leads)
        yield MetricRow("partner", "answered", group, row.answered)
        yield MetricRow("partner", "no_response", group, row.no_response)
        yield MetricRow("partner", "pending", group, row.pending)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def to_json(
    fig: Figures,
    *,
    title: str,
    source: str,
    generated_at: datetime,
    period_start: datetime | None,
    period_end: datetime,
) -> str:
    """The KPIs as one JSON object (sorted keys, so the text is stable)."""
    kpis: dict[str, dict[str, dict[str, Number]]] = {}
    for row in metric_rows(fig):
        kpis.setdefault(row.section, {}).setdefault(row.metric, {})[row.group] = row.value
    doc = {
        "report": {
            "title": title,
            "source": source,
            "generated_at": _iso(generated_at),
            "period_start": _iso(period_start),
            "period_end": _iso(period_end),
        },
        "kpis": kpis,
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_csv(fig: Figures) -> str:
    """The KPIs as long-format CSV: ``section,metric,group,value``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in metric_rows(fig):
        writer.writerow(
            (row.section, row.metric, row.group, "" if row.value is None else row.value)
        )
    return out.getvalue()
