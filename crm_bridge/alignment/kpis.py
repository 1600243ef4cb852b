"""Revenue KPIs both teams share, as pure functions over typed inputs.

Inputs are :mod:`crm_bridge.alignment.kpi_inputs` facts, SLA clocks, stall results, committee
results and partner outcomes; outputs are frozen dataclasses the report renders (HTML, JSON,
CSV). Definitions:

- **Funnel**: a person counts for a stage when it reached that stage *or any later one* in the
  given order (a lead that jumped straight to SQL passed MQL too); conversion is the count of a
  stage over the count of the stage before it.
- **Speed to lead**: wall-clock time from a clock's start to its stop, over stopped clocks of
  one policy; median (mean of the two middle values for an even count) and 90th percentile
  (nearest rank).
- **SLA compliance**: ``met`` over closed or breached clocks (``met + met_late + breached``);
  running clocks that are not yet due are not counted.
- **Marketing-sourced**: the deal's lead source or first touch is one of the marketing sources
  (case-insensitive). **Marketing-influenced**: sourced, or at least one person on the deal was
  touched by marketing. Pipeline = amount of open deals, revenue = amount of won deals.
- **Lost to no decision**: closed-lost deals whose loss reason is one of the given reasons.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from math import ceil
from typing import Generic, TypeVar

from crm_bridge.alignment.committee import CommitteeResult
from crm_bridge.alignment.kpi_inputs import DealFacts, LeadFacts, Owner
from crm_bridge.alignment.sla import SlaClock
from crm_bridge.alignment.stalls import StallResult
from crm_bridge.config.sla import PARTNER_OUTCOMES, PartnerOutcome
from crm_bridge.model import RecordRef

UNASSIGNED = "(unassigned)"
T = TypeVar("T")
R = TypeVar("R")


def _pct(part: float, whole: float) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


# -- funnel ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FunnelStep:
    """One funnel stage: how many reached it and the conversion from the stage before."""

    stage: str
    count: int
    conversion_pct: float | None


@dataclass(frozen=True, slots=True)
class Funnel:
    """The funnel in stage order, with the conversion from the first to the last stage."""

    steps: tuple[FunnelStep, ...]
    overall_pct: float | None


def funnel(leads: Iterable[LeadFacts], stage_order: Sequence[str]) -> Funnel:
    """Count people per stage (reached it or a later one) and the stage-to-stage conversion."""
    index = {stage: i for i, stage in enumerate(stage_order)}
    counts = [0] * len(stage_order)
    for lead in leads:
        furthest = max((index[s] for s in lead.stages if s in index), default=-1)
        for i in range(furthest + 1):
            counts[i] += 1
    steps = tuple(
        FunnelStep(stage, counts[i], None if i == 0 else _pct(counts[i], counts[i - 1]))
        for i, stage in enumerate(stage_order)
    )
    overall = _pct(counts[-1], counts[0]) if counts else None
    return Funnel(steps=steps, overall_pct=overall)


# -- SLA ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Speed:
    """Response-time statistics of a group."""

    count: int
    median: timedelta | None
    p90: timedelta | None


@dataclass(frozen=True, slots=True)
class Compliance:
    """SLA outcomes of a group: met, met late, breached (open) and the compliance percent."""

    met: int
    met_late: int
    breached: int
    compliance_pct: float | None


@dataclass(frozen=True, slots=True)
class Grouped(Generic[T]):
    """A statistic overall, by team and by owner (records without one under ``(unassigned)``)."""

    overall: T
    by_team: Mapping[str, T]
    by_owner: Mapping[str, T]


def _median(values: Sequence[timedelta]) -> timedelta | None:
    if not values:
        return None
    n = len(values)
    mid = n // 2
    return values[mid] if n % 2 else (values[mid - 1] + values[mid]) / 2


def _p90(values: Sequence[timedelta]) -> timedelta | None:
    return values[ceil(0.9 * len(values)) - 1] if values else None


def _speed(times: list[timedelta]) -> Speed:
    times.sort()
    return Speed(count=len(times), median=_median(times), p90=_p90(times))


def _group(
    items: Iterable[T],
    owner: Callable[[T], Owner],
    summarise: Callable[[list[T]], R],
) -> Grouped[R]:
    every: list[T] = []
    teams: dict[str, list[T]] = {}
    owners: dict[str, list[T]] = {}
    for item in items:
        who = owner(item)
        every.append(item)
        teams.setdefault(who.team or UNASSIGNED, []).append(item)
        owners.setdefault(who.owner or UNASSIGNED, []).append(item)
    return Grouped(
        overall=summarise(every),
        by_team={k: summarise(v) for k, v in sorted(teams.items())},
        by_owner={k: summarise(v) for k, v in sorted(owners.items())},
    )


def _owner_lookup(owners: Mapping[RecordRef, Owner]) -> Callable[[SlaClock], Owner]:
    empty = Owner()
    return lambda clock: owners.get(clock.ref, empty)


def speed_to_lead(
    clocks: Iterable[SlaClock], owners: Mapping[RecordRef, Owner], policy: str
) -> Grouped[Speed]:
    """Median and p90 of start→stop time of the stopped clocks of ``policy``."""
    stopped = [c for c in clocks if c.policy == policy and c.stopped_at is not None]
    return _group(
        stopped,
        _owner_lookup(owners),
        lambda cs: _speed([c.stopped_at - c.started_at for c in cs if c.stopped_at]),
    )


def _compliance(clocks: list[SlaClock]) -> Compliance:
    states = Counter(c.state for c in clocks)
    met, late, breached = states["met"], states["met_late"], states["breached"]
    return Compliance(met, late, breached, _pct(met, met + late + breached))


def sla_compliance(
    clocks: Iterable[SlaClock], owners: Mapping[RecordRef, Owner], policy: str | None = None
) -> Grouped[Compliance]:
    """SLA compliance of the clocks (of one ``policy``, or all) overall, by team, by owner."""
    chosen = [c for c in clocks if policy is None or c.policy == policy]
    return _group(chosen, _owner_lookup(owners), _compliance)


def open_breaches(
    clocks: Iterable[SlaClock], owners: Mapping[RecordRef, Owner]
) -> Grouped[tuple[SlaClock, ...]]:
    """The clocks breached and still open, overall, by team and by owner (oldest due first)."""
    breached = sorted((c for c in clocks if c.state == "breached"), key=lambda c: c.due_at)
    return _group(breached, _owner_lookup(owners), tuple)


# -- pipeline -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DealValue:
    """A number of deals and their total amount."""

    count: int
    amount: float


def _value(deals: Iterable[DealFacts]) -> DealValue:
    chosen = list(deals)
    return DealValue(len(chosen), sum(d.amount for d in chosen))


def stalled_pipeline(stalls: Iterable[StallResult]) -> tuple[DealValue, Mapping[str, DealValue]]:
    """Stalled deals overall and by stage: count and amount."""
    total = DealValue(0, 0.0)
    by_stage: dict[str, DealValue] = {}
    for s in stalls:
        if not s.stalled:
            continue
        amount = s.amount or 0.0
        key = s.stage or UNASSIGNED
        prev = by_stage.get(key, DealValue(0, 0.0))
        by_stage[key] = DealValue(prev.count + 1, prev.amount + amount)
        total = DealValue(total.count + 1, total.amount + amount)
    return total, dict(sorted(by_stage.items()))


@dataclass(frozen=True, slots=True)
class MarketingContribution:
    """Marketing-sourced and -influenced pipeline (open) and revenue (won) vs the totals."""

    pipeline: DealValue
    revenue: DealValue
    sourced_pipeline: DealValue
    sourced_revenue: DealValue
    influenced_pipeline: DealValue
    influenced_revenue: DealValue
    sourced_by_source: Mapping[str, DealValue]


def marketing_contribution(
    deals: Iterable[DealFacts],
    marketing_sources: Collection[str],
    marketing_touched: Collection[RecordRef],
) -> MarketingContribution:
    """Marketing's share of pipeline and revenue (see the module docs for the definitions).
    ``sourced_by_source`` splits sourced pipeline + revenue by the matching source."""
    sources = {s.casefold() for s in marketing_sources}
    touched = set(marketing_touched)
    every = list(deals)

    def source_of(d: DealFacts) -> str | None:
        for s in (d.lead_source, d.first_touch):
            if s is not None and s.casefold() in sources:
                return s
        return None

    sourced = [d for d in every if source_of(d) is not None]
    influenced = [
        d for d in every if source_of(d) is not None or any(c in touched for c in d.contacts)
    ]
    by_source: dict[str, list[DealFacts]] = {}
    for d in sourced:
        if d.is_open or d.is_won:
            by_source.setdefault(source_of(d) or UNASSIGNED, []).append(d)

    def open_(ds: list[DealFacts]) -> DealValue:
        return _value(d for d in ds if d.is_open)

    def won(ds: list[DealFacts]) -> DealValue:
        return _value(d for d in ds if d.is_won)

    return MarketingContribution(
        pipeline=open_(every),
        revenue=won(every),
        sourced_pipeline=open_(sourced),
        sourced_revenue=won(sourced),
        influenced_pipeline=open_(influenced),
        influenced_revenue=won(influenced),
        sourced_by_source={k: _value(v) for k, v in sorted(by_source.items())},
    )


@dataclass(frozen=True, slots=True)
class NoDecision:
    """Closed-lost deals lost to no decision, and their share of all closed-lost deals."""

    lost: DealValue
    no_decision: DealValue
    share_pct: float | None


def lost_to_no_decision(deals: Iterable[DealFacts], reasons: Collection[str]) -> NoDecision:
    """Closed-lost deals whose loss reason is one of ``reasons`` (case-insensitive)."""
    keys = {r.casefold() for r in reasons}
    lost = [d for d in deals if d.is_lost]
    nodec = [d for d in lost if d.loss_reason is not None and d.loss_reason.casefold() in keys]
    return NoDecision(_value(lost), _value(nodec), _pct(len(nodec), len(lost)))


@dataclass(frozen=True, slots=True)
class PipelineCoverage:
    """Persona and buying-committee coverage of the open pipeline."""

    open: DealValue
    contacts: int
    contacts_with_persona: int
    persona_pct: float | None
    with_persona: DealValue
    committee_complete: DealValue
    decision_maker_engaged: DealValue
    avg_committee_coverage_pct: float | None


def pipeline_coverage(
    deals: Iterable[DealFacts],
    committees: Mapping[RecordRef, CommitteeResult],
    personas: Mapping[RecordRef, str | None],
) -> PipelineCoverage:
    """How well the open pipeline is covered: contacts with a persona, deals with at least one
    persona-tagged contact, deals with a complete committee and an engaged decision maker, and
    the average committee coverage (deals without a committee result count as 0 %)."""
    open_deals = [d for d in deals if d.is_open]
    people = {c for d in open_deals for c in d.contacts}
    tagged = {p for p in people if personas.get(p)}
    with_persona = [d for d in open_deals if any(c in tagged for c in d.contacts)]
    complete = [d for d in open_deals if (r := committees.get(d.ref)) is not None and r.complete]
    engaged = [
        d
        for d in open_deals
        if (r := committees.get(d.ref)) is not None and r.decision_maker_engaged
    ]
    coverages = [
        r.coverage_pct if (r := committees.get(d.ref)) is not None else 0 for d in open_deals
    ]
    return PipelineCoverage(
        open=_value(open_deals),
        contacts=len(people),
        contacts_with_persona=len(tagged),
        persona_pct=_pct(len(tagged), len(people)),
        with_persona=_value(with_persona),
        committee_complete=_value(complete),
        decision_maker_engaged=_value(engaged),
        avg_committee_coverage_pct=(
            round(sum(coverages) / len(coverages), 1) if coverages else None
        ),
    )


def partner_outcomes(outcomes: Iterable[PartnerOutcome | None]) -> Mapping[str, int]:
    """Partner leads by closed-loop outcome; ``pending`` counts leads still within the deadline."""
    counts: Counter[str] = Counter(o or "pending" for o in outcomes)
    return {key: counts[key] for key in (*PARTNER_OUTCOMES, "pending")}
