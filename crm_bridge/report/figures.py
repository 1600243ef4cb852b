"""All KPIs of one report, computed once from :class:`~crm_bridge.report.inputs.ReportInputs`.

:func:`compute` calls the pure functions of :mod:`crm_bridge.alignment.kpis` and adds the few
breakdowns only the report needs (loss reasons, personas and committee gaps on open deals,
partner outcomes by partner). The HTML builder and the JSON/CSV export read the same
:class:`Figures`, so every format shows the same numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from crm_bridge.alignment.kpis import (
    UNASSIGNED,
    Compliance,
    DealValue,
    Funnel,
    Grouped,
    MarketingContribution,
    NoDecision,
    PipelineCoverage,
    Speed,
    funnel,
    lost_to_no_decision,
    marketing_contribution,
    open_breaches,
    partner_outcomes,
    pipeline_coverage,
    sla_compliance,
    speed_to_lead,
    stalled_pipeline,
)
from crm_bridge.alignment.sla import SlaClock
from crm_bridge.alignment.stalls import StallResult
from crm_bridge.report.inputs import ReportInputs

UNTAGGED = "(no persona)"
NO_REASON = "(no reason)"
NO_COMMITTEE = "no committee data"
COMPLETE = "complete"


@dataclass(frozen=True, slots=True)
class PartnerRow:
    """Partner leads of one partner: total, answered in time or late, no response, pending."""

    partner: str
    leads: int
    answered: int
    no_response: int
    pending: int


@dataclass(frozen=True, slots=True)
class Figures:
    """Every KPI of the report (see :mod:`crm_bridge.alignment.kpis` for definitions)."""

    funnel: Funnel
    speed: Grouped[Speed]
    compliance: Grouped[Compliance]
    breaches: Grouped[tuple[SlaClock, ...]]
    stalled_total: DealValue
    stalled_by_stage: Mapping[str, DealValue]
    stalled_deals: tuple[StallResult, ...]
    marketing: MarketingContribution
    no_decision: NoDecision
    lost_by_reason: Mapping[str, DealValue]
    coverage: PipelineCoverage
    contacts_by_persona: Mapping[str, int]
    pipeline_by_committee: Mapping[str, DealValue]
    partner: Mapping[str, int]
    partner_by_partner: tuple[PartnerRow, ...]

    @property
    def partner_response_pct(self) -> float | None:
        """Partner leads answered (any outcome but no response) over those no longer pending."""
        decided = sum(v for k, v in self.partner.items() if k != "pending")
        answered = decided - self.partner.get("no_response", 0)
        return round(100.0 * answered / decided, 1) if decided else None


def _add(values: dict[str, DealValue], key: str, amount: float) -> None:
    prev = values.get(key, DealValue(0, 0.0))
    values[key] = DealValue(prev.count + 1, prev.amount + amount)


def _ordered(values: dict[str, DealValue], order: tuple[str, ...]) -> dict[str, DealValue]:
    rank = {stage: i for i, stage in enumerate(order)}
    return dict(sorted(values.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def compute(inputs: ReportInputs) -> Figures:
    """Compute every KPI of the report from ``inputs``."""
    clocks = list(inputs.clocks)
    deals = list(inputs.deals)
    committees = inputs.committee_by_deal
    owners = inputs.all_owners
    stalled_total, stalled_by_stage = stalled_pipeline(inputs.stalls)
    stalled_deals = tuple(
        sorted((s for s in inputs.stalls if s.stalled), key=lambda s: -(s.amount or 0.0))
    )

    reasons: dict[str, DealValue] = {}
    for d in deals:
        if d.is_lost:
            _add(reasons, d.loss_reason or NO_REASON, d.amount)

    open_deals = [d for d in deals if d.is_open]
    people = {c for d in open_deals for c in d.contacts}
    personas = Counter(inputs.personas.get(p) or UNTAGGED for p in people)
    by_committee: dict[str, DealValue] = {}
    for d in open_deals:
        result = committees.get(d.ref)
        if result is None:
            key = NO_COMMITTEE
        elif result.complete:
            key = COMPLETE
        else:
            key = "missing " + " + ".join(r.replace("_", " ") for r in result.missing)
        _add(by_committee, key, d.amount)

    partners: dict[str, list[str | None]] = {}
    for lead in inputs.partner_leads:
        partners.setdefault(lead.partner or UNASSIGNED, []).append(lead.outcome)
    partner_rows = tuple(
        PartnerRow(
            partner=name,
            leads=len(outs),
            answered=sum(1 for o in outs if o not in (None, "no_response")),
            no_response=sum(1 for o in outs if o == "no_response"),
            pending=sum(1 for o in outs if o is None),
        )
        for name, outs in sorted(partners.items())
    )

    return Figures(
        funnel=funnel(inputs.leads, inputs.stage_order),
        speed=speed_to_lead(clocks, owners, inputs.first_contact_policy),
        compliance=sla_compliance(clocks, owners),
        breaches=open_breaches(clocks, owners),
        stalled_total=stalled_total,
        stalled_by_stage=_ordered(dict(stalled_by_stage), inputs.deal_stage_order),
        stalled_deals=stalled_deals,
        marketing=marketing_contribution(deals, inputs.marketing_sources, inputs.marketing_touched),
        no_decision=lost_to_no_decision(deals, inputs.no_decision_reasons),
        lost_by_reason=dict(sorted(reasons.items(), key=lambda kv: (-kv[1].amount, kv[0]))),
        coverage=pipeline_coverage(deals, committees, inputs.personas),
        contacts_by_persona=dict(sorted(personas.items(), key=lambda kv: (-kv[1], kv[0]))),
        pipeline_by_committee=dict(
            sorted(by_committee.items(), key=lambda kv: (-kv[1].amount, kv[0]))
        ),
        partner=partner_outcomes(p.outcome for p in inputs.partner_leads),
        partner_by_partner=partner_rows,
    )
