"""Build the alignment report (sections of headline figures, charts and tables) from inputs.

One section per topic, in the words both teams use; every number comes from
:func:`crm_bridge.report.figures.compute`, the same figures the JSON/CSV export writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from crm_bridge.alignment.kpis import Compliance, DealValue, Grouped, Speed
from crm_bridge.report.charts import Chart, Series, chart_from_pairs, fmt
from crm_bridge.report.export import hours
from crm_bridge.report.figures import NO_REASON, Figures, compute
from crm_bridge.report.html import ReportDoc, Section, Table
from crm_bridge.report.inputs import ReportInputs
from crm_bridge.report.inputs import since as narrow

MAX_ROWS = 10


def money(value: float) -> str:
    """An amount with thousands separators (the CRM's currency)."""
    return fmt(value, "$")


def pct(value: float | None) -> str:
    """A percentage with one decimal, or an em dash when there is no data."""
    return "—" if value is None else f"{value:.1f}%"


def duration(value: timedelta | None) -> str:
    """A duration as minutes, hours or days and hours."""
    if value is None:
        return "—"
    minutes = round(value.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    days, rest = divmod(minutes, 24 * 60)
    return f"{days} d {rest // 60} h"


def _deals(v: DealValue) -> str:
    return f"{money(v.amount)} ({v.count} deal{'' if v.count == 1 else 's'})"


def funnel_section(fig: Figures) -> Section:
    steps = fig.funnel.steps
    chart = Chart(
        id="funnel",
        title="People who reached each stage (or a later one)",
        kind="funnel",
        labels=tuple(s.stage.upper() for s in steps),
        series=(Series("people", tuple(float(s.count) for s in steps)),),
        note="The percentage under each count is the conversion from the stage above.",
    )
    by = {s.stage: s for s in steps}
    headline: list[tuple[str, str]] = []
    if steps:
        headline.append((f"{steps[0].stage} → {steps[-1].stage}", pct(fig.funnel.overall_pct)))
    if "mql" in by and "sql" in by and by["mql"].count:
        headline.insert(0, ("MQL → SQL", pct(round(100 * by["sql"].count / by["mql"].count, 1))))
    table = Table(
        columns=("Stage", "Reached", "Conversion from previous stage"),
        rows=tuple((s.stage, str(s.count), pct(s.conversion_pct)) for s in steps),
    )
    return Section(
        "funnel",
        "Funnel",
        "Marketing and sales: where leads move on and where they stop",
        tuple(headline),
        (chart,),
        (table,),
    )


def _speed_chart(id: str, title: str, groups: Mapping[str, Speed]) -> Chart:
    labels = tuple(groups)
    med = tuple(hours(s.median) or 0.0 for s in groups.values())
    p90 = tuple(hours(s.p90) or 0.0 for s in groups.values())
    return Chart(
        id,
        title,
        "hbar",
        labels,
        (Series("median", med), Series("90th percentile", p90)),
        "h",
        decimals=1,
    )


def _compliance_chart(id: str, title: str, groups: Mapping[str, Compliance]) -> Chart:
    # groups whose clocks are all still running have no compliance yet: left out; 0 % is data
    pairs = [(k, c.compliance_pct) for k, c in groups.items() if c.compliance_pct is not None]
    return chart_from_pairs(
        id, title, "hbar", pairs, series="compliance", unit="%", decimals=1, zero_is_data=True
    )


def sla_section(fig: Figures, policy: str) -> Section:
    speed: Grouped[Speed] = fig.speed
    comp: Grouped[Compliance] = fig.compliance
    o = comp.overall
    headline = (
        ("median speed to lead", duration(speed.overall.median)),
        ("90th percentile", duration(speed.overall.p90)),
        ("SLA compliance", pct(o.compliance_pct)),
        ("met / late / breached", f"{o.met} / {o.met_late} / {o.breached}"),
    )
    charts = (
        _speed_chart("speed_by_team", "Speed to lead by team (hours)", speed.by_team),
        _speed_chart("speed_by_owner", "Speed to lead by owner (hours)", speed.by_owner),
        _compliance_chart("sla_by_team", "SLA compliance by team", comp.by_team),
        _compliance_chart("sla_by_owner", "SLA compliance by owner", comp.by_owner),
    )
    rows = tuple(
        (
            name,
            str(c.met),
            str(c.met_late),
            str(c.breached),
            pct(c.compliance_pct),
            duration(speed.by_owner[name].median if name in speed.by_owner else None),
        )
        for name, c in comp.by_owner.items()
    )
    table = Table(("Owner", "Met", "Met late", "Breached", "Compliance", "Median speed"), rows)
    return Section(
        "sla",
        "Speed to lead and SLA compliance",
        f"Sales follow-up promise; speed to lead measures policy '{policy}'",
        headline,
        charts,
        (table,),
        "Compliance = met ÷ (met + met late + breached); clocks still running and not yet "
        "due are not counted. Times are wall-clock from the start event to first follow-up.",
    )


def breaches_section(fig: Figures, now: datetime) -> Section:
    b = fig.breaches
    oldest = b.overall[0] if b.overall else None
    headline = (
        ("open breaches", str(len(b.overall))),
        ("oldest overdue by", duration(now - oldest.due_at) if oldest else "—"),
    )
    chart = chart_from_pairs(
        "breaches_by_owner",
        "Open SLA breaches by owner",
        "hbar",
        [(k, len(v)) for k, v in b.by_owner.items()],
        series="breaches",
    )
    owner_of = {c.ref: name for name, clocks in b.by_owner.items() for c in clocks}
    rows = tuple(
        (
            str(c.ref),
            c.policy,
            owner_of.get(c.ref, ""),
            f"{c.due_at:%Y-%m-%d %H:%M}",
            duration(now - c.due_at),
        )
        for c in b.overall[:MAX_ROWS]
    )
    table = Table(
        ("Record", "Policy", "Owner", "Due (UTC)", "Overdue by"),
        rows,
        f"Oldest open breaches (up to {MAX_ROWS})",
    )
    return Section(
        "breaches",
        "Open SLA breaches",
        "Sales managers: follow up today",
        headline,
        (chart,),
        (table,),
    )


def stalled_section(fig: Figures) -> Section:
    headline = (
        ("stalled pipeline", money(fig.stalled_total.amount)),
        ("stalled deals", str(fig.stalled_total.count)),
        ("marketing asked to assist", str(sum(1 for s in fig.stalled_deals if s.marketing_assist))),
    )
    chart = chart_from_pairs(
        "stalled_by_stage",
        "Stalled pipeline value by stage",
        "bar",
        [(k, v.amount) for k, v in fig.stalled_by_stage.items()],
        series="stalled value",
        unit="$",
    )
    rows = tuple(
        (
            str(s.ref),
            s.stage or "",
            money(s.amount or 0.0),
            str(s.days_stalled),
            s.reason,
            "yes" if s.marketing_assist else "no",
        )
        for s in fig.stalled_deals[:MAX_ROWS]
    )
    table = Table(
        ("Deal", "Stage", "Amount", "Days stalled", "Reason", "Marketing assist"),
        rows,
        "Largest stalled deals",
    )
    return Section(
        "stalled",
        "Stalled pipeline",
        "Sales and marketing: deals that need a push",
        headline,
        (chart,),
        (table,),
    )


def marketing_section(fig: Figures) -> Section:
    m = fig.marketing
    share = (
        None
        if not m.pipeline.amount
        else round(100 * m.influenced_pipeline.amount / m.pipeline.amount, 1)
    )
    headline = (
        ("marketing-sourced pipeline", money(m.sourced_pipeline.amount)),
        ("marketing-influenced pipeline", money(m.influenced_pipeline.amount)),
        ("marketing-sourced revenue", money(m.sourced_revenue.amount)),
        ("marketing-influenced revenue", money(m.influenced_revenue.amount)),
        ("influenced share of pipeline", pct(share)),
    )
    overview = Chart(
        "marketing_contribution",
        "Pipeline (open) and revenue (won): all, marketing-influenced, marketing-sourced",
        "bar",
        ("all deals", "influenced", "sourced"),
        (
            Series(
                "pipeline",
                (m.pipeline.amount, m.influenced_pipeline.amount, m.sourced_pipeline.amount),
            ),
            Series(
                "revenue", (m.revenue.amount, m.influenced_revenue.amount, m.sourced_revenue.amount)
            ),
        ),
        "$",
    )
    by_source = chart_from_pairs(
        "marketing_by_source",
        "Marketing-sourced pipeline and revenue by source",
        "hbar",
        [(k, v.amount) for k, v in m.sourced_by_source.items()],
        series="pipeline + revenue",
        unit="$",
    )
    rows = tuple(
        (label, _deals(p), _deals(r))
        for label, p, r in (
            ("All deals", m.pipeline, m.revenue),
            ("Marketing-influenced", m.influenced_pipeline, m.influenced_revenue),
            ("Marketing-sourced", m.sourced_pipeline, m.sourced_revenue),
        )
    )
    return Section(
        "marketing",
        "Marketing contribution",
        "Marketing's share of pipeline and revenue",
        headline,
        (overview, by_source),
        (Table(("", "Pipeline", "Revenue"), rows),),
        "Sourced: the deal's lead source or first touch is a marketing source. Influenced: "
        "sourced, or someone on the deal was touched by marketing.",
    )


def no_decision_section(fig: Figures) -> Section:
    n = fig.no_decision
    unexplained = fig.lost_by_reason.get(NO_REASON, DealValue(0, 0.0)).count
    share = pct(n.share_pct)
    if n.lost.count and unexplained == n.lost.count:
        share = "— (no loss reasons recorded)"
    headline = (
        ("lost to no decision", money(n.no_decision.amount)),
        ("share of lost deals", share),
        ("all closed-lost", _deals(n.lost)),
    )
    note = ""
    if unexplained:
        note = (
            f"{unexplained} of {n.lost.count} closed-lost deals have no loss reason recorded "
            "(canonical field loss_reason in mappings/fields.yaml)."
        )
    chart = chart_from_pairs(
        "lost_by_reason",
        "Closed-lost value by loss reason",
        "hbar",
        [(k, v.amount) for k, v in fig.lost_by_reason.items()],
        series="lost value",
        unit="$",
    )
    rows = tuple((k, str(v.count), money(v.amount)) for k, v in fig.lost_by_reason.items())
    return Section(
        "no_decision",
        "Deals lost to no decision",
        "Both teams: buyers who never decided — a committee problem, not a price one",
        headline,
        (chart,),
        (Table(("Loss reason", "Deals", "Value"), rows),),
        note,
    )


def coverage_section(fig: Figures) -> Section:
    c = fig.coverage
    headline = (
        ("open pipeline", money(c.open.amount)),
        (
            "contacts with a persona",
            f"{c.contacts_with_persona} of {c.contacts} ({pct(c.persona_pct)})",
        ),
        ("committee complete", _deals(c.committee_complete)),
        ("decision maker engaged", _deals(c.decision_maker_engaged)),
        ("average committee coverage", pct(c.avg_committee_coverage_pct)),
    )
    personas = chart_from_pairs(
        "contacts_by_persona",
        "Contacts on open deals by persona",
        "hbar",
        list(fig.contacts_by_persona.items()),
        series="contacts",
    )
    committee = chart_from_pairs(
        "pipeline_by_committee",
        "Open pipeline by buying-committee status",
        "hbar",
        [(k, v.amount) for k, v in fig.pipeline_by_committee.items()],
        series="open value",
        unit="$",
    )
    rows = tuple((k, str(v.count), money(v.amount)) for k, v in fig.pipeline_by_committee.items())
    return Section(
        "coverage",
        "Persona and buying-committee coverage",
        "Marketing can help sales reach past the stallers to the missing roles",
        headline,
        (personas, committee),
        (Table(("Committee status", "Open deals", "Value"), rows),),
    )


def partner_section(fig: Figures) -> Section:
    total = sum(fig.partner.values())
    headline = (
        ("partner leads", str(total)),
        ("answered", pct(fig.partner_response_pct)),
        ("no response", str(fig.partner.get("no_response", 0))),
        ("pending", str(fig.partner.get("pending", 0))),
    )
    chart = chart_from_pairs(
        "partner_outcomes",
        "Partner and reseller leads by outcome",
        "bar",
        [(k.replace("_", " "), v) for k, v in fig.partner.items()],
        series="leads",
    )
    rows = tuple(
        (r.partner, str(r.leads), str(r.answered), str(r.no_response), str(r.pending))
        for r in fig.partner_by_partner
    )
    return Section(
        "partner",
        "Partner and reseller follow-up",
        "Closed loop on leads handed to partners",
        headline,
        (chart,),
        (Table(("Partner", "Leads", "Answered", "No response", "Pending"), rows),),
    )


def period_label(inputs: ReportInputs) -> str:
    """``2026-03-01 to 2026-03-31`` (or ``all history to ...``)."""
    end = f"{inputs.period_end:%Y-%m-%d}"
    if inputs.period_start is None:
        return f"all history to {end}"
    return f"{inputs.period_start:%Y-%m-%d} to {end}"


def build_report(
    inputs: ReportInputs,
    *,
    title: str,
    source: str,
    generated_at: datetime,
    since: datetime | None = None,
) -> ReportDoc:
    """The report of ``inputs``; with ``since``, narrowed to that period first (see
    :func:`crm_bridge.report.inputs.since`)."""
    if since is not None:
        inputs = narrow(inputs, since)
    fig = compute(inputs)
    sections = (
        funnel_section(fig),
        sla_section(fig, inputs.first_contact_policy),
        breaches_section(fig, inputs.period_end),
        stalled_section(fig),
        marketing_section(fig),
        no_decision_section(fig),
        coverage_section(fig),
        partner_section(fig),
    )
    return ReportDoc(
        title=title,
        generated_at=generated_at,
        period=period_label(inputs),
        source=source,
        sections=sections,
    )
