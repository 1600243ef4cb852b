"""A small, hand-made, deterministic :class:`ReportInputs` (March 2026) for ``--sample``.

Every section has non-trivial data, and the figures are small enough to check by hand (the
report tests do): 10 people in the funnel, 9 SLA clocks, 10 deals, 3 stalled deals, 3 committee
results and 8 partner leads.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm_bridge.alignment.committee import CommitteeResult
from crm_bridge.alignment.kpi_inputs import DealFacts, LeadFacts, Owner
from crm_bridge.alignment.sla import SlaClock
from crm_bridge.alignment.stalls import StallResult
from crm_bridge.config.alignment import CommitteeRole, StallThreshold
from crm_bridge.config.sla import PartnerOutcome
from crm_bridge.model import RecordRef, SlaState
from crm_bridge.report.inputs import PartnerLead, ReportInputs

START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
STAGES = ("lead", "mql", "sal", "sql", "opportunity", "customer")
DEAL_STAGES = ("Discovery", "Proposal", "Negotiation")
POLICY = "mql_first_contact"

ANA = Owner("Ana Ruiz", "Inside sales EMEA")
BEN = Owner("Ben Okafor", "Inside sales EMEA")
CHO = Owner("Cho Park", "Inside sales US")


def lead(n: int) -> RecordRef:
    """``salesforce/Lead/L<n>``."""
    return RecordRef("salesforce", "Lead", f"L{n}")


def contact(n: int) -> RecordRef:
    """``hubspot/contacts/C<n>``."""
    return RecordRef("hubspot", "contacts", f"C{n}")


def deal(n: int) -> RecordRef:
    """``salesforce/Opportunity/D<n>``."""
    return RecordRef("salesforce", "Opportunity", f"D{n}")


def _at(day: int, hour: float = 9.0) -> datetime:
    return datetime(2026, 3, day, tzinfo=UTC) + timedelta(hours=hour)


def _leads() -> list[LeadFacts]:
    # furthest stage of L1..L10: customer, opportunity, sql, sql, sal, mql, mql, mql, lead, lead
    furthest = (5, 4, 3, 3, 2, 1, 1, 1, 0, 0)
    owners = (ANA, ANA, BEN, BEN, CHO, CHO, ANA, CHO, BEN, Owner())
    out = []
    for i, (top, owner) in enumerate(zip(furthest, owners, strict=True), start=1):
        stages = {STAGES[s]: _at(1 + i + 2 * s) for s in range(top + 1)}
        out.append(LeadFacts(ref=lead(i), stages=stages, owner=owner, lead_source="Webinar"))
    return out


def _clock(ref: RecordRef, day: int, took: float | None, state: SlaState) -> SlaClock:
    started = _at(day)
    due = started + timedelta(hours=4)
    stopped = None if took is None else started + timedelta(hours=took)
    return SlaClock(
        ref=ref,
        policy=POLICY,
        started_at=started,
        due_at=due,
        at_risk_at=started + timedelta(hours=3),
        stopped_at=stopped,
        state=state,
        breached_at=due if state in ("breached", "met_late") else None,
    )


def _clocks() -> list[SlaClock]:
    return [
        _clock(lead(1), 2, 1.0, "met"),
        _clock(lead(2), 3, 2.0, "met"),
        _clock(lead(3), 4, 3.0, "met"),
        _clock(lead(4), 5, 6.0, "met_late"),
        _clock(lead(5), 6, 0.5, "met"),
        _clock(lead(6), 7, 10.0, "met_late"),
        _clock(lead(7), 20, None, "breached"),
        _clock(lead(8), 27, None, "breached"),
        _clock(contact(9), 31, None, "on_track"),
    ]


def _deal(
    n: int,
    stage: str,
    amount: float,
    result: str,
    source: str,
    contacts: tuple[RecordRef, ...] = (),
    loss: str | None = None,
) -> DealFacts:
    owner = (ANA, BEN, CHO)[n % 3]
    return DealFacts(
        ref=deal(n),
        stage=stage,
        amount=amount,
        is_closed=result != "open",
        is_won=result == "won",
        owner=owner,
        lead_source=source,
        loss_reason=loss,
        contacts=contacts,
    )


def _deals() -> list[DealFacts]:
    return [
        _deal(1, "Discovery", 20_000, "open", "Webinar", (lead(2),)),
        _deal(2, "Proposal", 50_000, "open", "Outbound", (lead(3), contact(1))),
        _deal(3, "Negotiation", 80_000, "open", "Paid Search", (lead(4), contact(2))),
        _deal(4, "Discovery", 15_000, "open", "Partner", (contact(3),)),
        _deal(5, "Closed Won", 40_000, "won", "Webinar", (lead(1),)),
        _deal(6, "Closed Won", 25_000, "won", "Outbound", (contact(4),)),
        _deal(7, "Closed Won", 10_000, "won", "Partner"),
        _deal(8, "Closed Lost", 30_000, "lost", "Event", loss="No decision"),
        _deal(9, "Closed Lost", 20_000, "lost", "Outbound", loss="Price"),
        _deal(10, "Closed Lost", 12_000, "lost", "Outbound", loss="Status quo"),
    ]


def _stall(n: int, stage: str, amount: float, days: int | None, assist: bool) -> StallResult:
    stalled = days is not None
    return StallResult(
        ref=deal(n),
        stage=stage,
        stalled=stalled,
        days_without_stage_change=days if stalled else 3,
        days_without_activity=days if stalled else 1,
        days_stalled=days or 0,
        threshold=StallThreshold(no_stage_change_days=14, no_activity_days=10),
        reason=f"no stage change or activity for {days} days" if stalled else "",
        marketing_assist=assist,
        amount=amount,
    )


def _committee(
    n: int, missing: tuple[CommitteeRole, ...], coverage: int, dm: bool, stallers: int
) -> CommitteeResult:
    required: dict[CommitteeRole, int] = {"decision_maker": 1, "champion": 1}
    counts: dict[CommitteeRole, int] = {r: 0 if r in missing else 1 for r in required}
    counts["staller"] = stallers
    return CommitteeResult(
        opportunity=deal(n),
        members=(),
        counts=counts,
        required=required,
        missing=missing,
        coverage_pct=coverage,
        stallers=stallers,
        decision_maker_engaged=dm,
    )


def _partner_leads() -> list[PartnerLead]:
    outcomes: tuple[tuple[str, PartnerOutcome | None], ...] = (
        ("Acme Reseller", "accepted"),
        ("Acme Reseller", "converted"),
        ("Acme Reseller", "no_response"),
        ("Acme Reseller", None),
        ("Northwind Partners", "accepted"),
        ("Northwind Partners", "recycled"),
        ("Northwind Partners", "lost"),
        ("Northwind Partners", "no_response"),
    )
    return [
        PartnerLead(ref=contact(100 + i), outcome=o, partner=p, handed_at=_at(2 + 3 * i))
        for i, (p, o) in enumerate(outcomes)
    ]


def sample_inputs() -> ReportInputs:
    """The sample data set: March 2026, three reps in two teams, ten deals."""
    leads = _leads()
    deals = _deals()
    return ReportInputs(
        period_start=START,
        period_end=END,
        leads=leads,
        deals=deals,
        clocks=_clocks(),
        owners={contact(9): CHO},  # the other owners come with the lead and deal facts
        stalls=[
            _stall(1, "Discovery", 20_000, None, False),
            _stall(2, "Proposal", 50_000, 24, True),
            _stall(3, "Negotiation", 80_000, 15, True),
            _stall(4, "Discovery", 15_000, 40, False),
        ],
        committees=[
            _committee(1, ("champion",), 50, True, 0),
            _committee(2, (), 100, True, 1),
            _committee(3, ("decision_maker",), 50, False, 2),
        ],
        personas={
            lead(2): "Economic buyer — Finance",
            lead(3): "Technical evaluator — IT",
            lead(4): "Economic buyer — Finance",
            contact(2): "Champion — Operations",
        },
        marketing_touched=frozenset({contact(1), contact(4)}),
        partner_leads=_partner_leads(),
        deal_closed_at={deal(n): _at(10 + 2 * n) for n in range(5, 11)},
        stage_order=STAGES,
        deal_stage_order=DEAL_STAGES,
        marketing_sources=("Webinar", "Paid Search", "Content", "Event"),
        no_decision_reasons=("No decision", "Status quo", "Went dark"),
        first_contact_policy=POLICY,
    )
