"""Everything the report's KPIs need, in the alignment modules' own types.

The sync pipeline (or :mod:`crm_bridge.report.sample`) fills one :class:`ReportInputs`:
lists of :class:`~crm_bridge.alignment.kpi_inputs.LeadFacts`,
:class:`~crm_bridge.alignment.kpi_inputs.DealFacts`,
:class:`~crm_bridge.alignment.sla.SlaClock`,
:class:`~crm_bridge.alignment.stalls.StallResult`,
:class:`~crm_bridge.alignment.committee.CommitteeResult` and :class:`PartnerLead`, plus the
owner of every record, the persona of every person and the shared definitions (stage order,
marketing sources, no-decision reasons). :func:`since` narrows it to a period.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from crm_bridge.alignment.committee import CommitteeResult
from crm_bridge.alignment.kpi_inputs import DealFacts, LeadFacts, Owner
from crm_bridge.alignment.partner import PartnerResult
from crm_bridge.alignment.sla import SlaClock
from crm_bridge.alignment.stalls import StallResult
from crm_bridge.config.sla import PartnerOutcome
from crm_bridge.model import RecordRef

DEFAULT_STAGE_ORDER: tuple[str, ...] = ("lead", "mql", "sal", "sql", "opportunity", "customer")
DEFAULT_NO_DECISION: tuple[str, ...] = ("No decision", "Status quo", "No budget", "Went dark")


@dataclass(frozen=True, slots=True)
class PartnerLead:
    """A lead handed to a partner or reseller and its closed-loop outcome (``None`` = pending)."""

    ref: RecordRef
    outcome: PartnerOutcome | None
    partner: str | None = None
    handed_at: datetime | None = None

    @classmethod
    def from_result(
        cls, ref: RecordRef, result: PartnerResult, partner: str | None = None
    ) -> PartnerLead:
        """From :func:`crm_bridge.alignment.partner.evaluate_partner`'s result (the hand-over
        time is the start of its response clock)."""
        handed = result.clock.started_at if result.clock is not None else None
        return cls(ref=ref, outcome=result.outcome, partner=partner, handed_at=handed)


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """The facts of one report. Datetimes are timezone-aware UTC.

    - ``leads``: one per person, with each lifecycle stage's entry time (funnel).
    - ``deals``: one per opportunity; ``deal_closed_at`` gives closed deals their close time
      (for period filtering; a closed deal without one is kept by :func:`since`).
    - ``clocks``: SLA clocks of every policy; ``first_contact_policy`` names the one whose
      stopped clocks measure speed to lead.
    - ``owners``: owner and team of records whose facts do not carry them (e.g. a clock on a
      person not in ``leads``); see :attr:`all_owners`.
    - ``stalls``: the stall verdict of open deals; ``committees``: committee coverage of deals.
    - ``personas``: persona name per person (``None`` or missing = untagged).
    - ``marketing_touched``: people marketing touched (email, event, ad, content ...).
    - ``partner_leads``: leads handed to partners/resellers and their outcomes.
    - ``stage_order``: the shared funnel; ``deal_stage_order``: opportunity stages (sorting).
    - ``period_start`` (``None`` = all history) and ``period_end`` (the "as of" time).
    """

    period_end: datetime
    period_start: datetime | None = None
    leads: Sequence[LeadFacts] = ()
    deals: Sequence[DealFacts] = ()
    clocks: Sequence[SlaClock] = ()
    owners: Mapping[RecordRef, Owner] = field(default_factory=dict)
    stalls: Sequence[StallResult] = ()
    committees: Sequence[CommitteeResult] = ()
    personas: Mapping[RecordRef, str | None] = field(default_factory=dict)
    marketing_touched: Collection[RecordRef] = frozenset()
    partner_leads: Sequence[PartnerLead] = ()
    deal_closed_at: Mapping[RecordRef, datetime] = field(default_factory=dict)
    stage_order: tuple[str, ...] = DEFAULT_STAGE_ORDER
    deal_stage_order: tuple[str, ...] = ()
    marketing_sources: tuple[str, ...] = ()
    no_decision_reasons: tuple[str, ...] = DEFAULT_NO_DECISION
    first_contact_policy: str = "mql_first_contact"

    def __post_init__(self) -> None:
        for name in ("period_start", "period_end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware, got {value.isoformat()}")

    @property
    def all_owners(self) -> Mapping[RecordRef, Owner]:
        """Owners of every record: those the lead and deal facts carry, overridden by
        ``owners`` (so the pipeline only needs ``owners`` for records not in the facts)."""
        merged: dict[RecordRef, Owner] = {lead.ref: lead.owner for lead in self.leads}
        merged.update((d.ref, d.owner) for d in self.deals)
        merged.update(self.owners)
        return merged

    @property
    def committee_by_deal(self) -> Mapping[RecordRef, CommitteeResult]:
        """Committee results keyed by opportunity."""
        return {c.opportunity: c for c in self.committees}


def _in(moment: datetime | None, start: datetime) -> bool:
    return moment is not None and moment.astimezone(UTC) >= start


def since(inputs: ReportInputs, start: datetime) -> ReportInputs:
    """The inputs narrowed to what happened from ``start`` on, plus what is open now.

    Kept: people who entered any stage since ``start`` (with their whole history, so the
    funnel counts them correctly); SLA clocks started since ``start`` or still running; open
    deals (pipeline is a snapshot) and closed deals closed since ``start`` (or without a known
    close time); stall and committee results of the kept deals; partner leads handed over since
    ``start`` or still pending.
    """
    if start.tzinfo is None:
        raise ValueError(f"since must be timezone-aware, got {start.isoformat()}")
    leads = [lead for lead in inputs.leads if any(_in(t, start) for t in lead.stages.values())]
    clocks = [c for c in inputs.clocks if c.is_open or _in(c.started_at, start)]
    deals = [
        d
        for d in inputs.deals
        if d.is_open
        or d.ref not in inputs.deal_closed_at
        or _in(inputs.deal_closed_at[d.ref], start)
    ]
    kept = {d.ref for d in deals}
    partner_leads = [
        p for p in inputs.partner_leads if p.outcome is None or _in(p.handed_at, start)
    ]
    return replace(
        inputs,
        period_start=start,
        leads=leads,
        clocks=clocks,
        deals=deals,
        stalls=[s for s in inputs.stalls if s.ref in kept],
        committees=[c for c in inputs.committees if c.opportunity in kept],
        partner_leads=partner_leads,
    )
