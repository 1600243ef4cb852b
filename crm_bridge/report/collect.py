"""The report's inputs from one sync run: what the alignment stage computed, per person and deal.

:class:`ReportCollector` is the ``observe`` hook of :func:`crm_bridge.jobs.sync.run_sync` (and
:func:`crm_bridge.jobs.runner.run_job`); it keeps the run's
:class:`~crm_bridge.jobs.stage.AlignStage`. :func:`collect` maps the stage to
:class:`~crm_bridge.report.inputs.ReportInputs`:

- **funnel**: one :class:`LeadFacts` per aligned person. Stage entry times are those the
  lifecycle decision knows (written by earlier runs, or "first seen now"), plus each stage's
  ``entered_from`` field (e.g. HubSpot's MQL date) and the creation time as entry into the
  first stage. A person now in an outcome stage (recycled, disqualified) counts up to the
  furthest funnel stage its data reaches.
- **owners and teams**: the canonical ``owner``/``team`` fields when the project maps them,
  else the ``owner_id`` of any side looked up in the CRMs' users (:mod:`.owners`).
- **SLA**: the run's SLA clocks of every person policy (stall clocks are reported as stalls).
- **deals**: one :class:`DealFacts` per opportunity; the people on a deal are its committee
  members (contact roles), each counted once across both CRMs. Closed deals are dated by their
  last stage change, else their close date.
- **stalls and committees**: the stall verdict of every open deal, every committee result.
- **personas**: each person's persona, under the person's key (the Salesforce side when
  linked) — every CRM copy of a person is mapped to that key.
- **marketing touched**: people whose lead source is a marketing source, or with a recorded
  entry into the marketing-qualified stage (``Definitions.marketing_stage``).
- **partner leads**: people with a partner closed-loop clock, with their outcome.

Which lead sources count as marketing, which loss reasons mean "no decision" and which SLA
policy measures speed to lead are :class:`Definitions` (defaults below).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from crm_bridge.alignment.committee import CommitteeResult
from crm_bridge.alignment.kpi_inputs import DealFacts, LeadFacts, Owner, deal_facts, owner_of
from crm_bridge.alignment.stalls import StallResult
from crm_bridge.config.sla import FirstActivity, StageEntered
from crm_bridge.jobs.align import OpportunityAlignment, PersonAlignment, Rules
from crm_bridge.jobs.entities import Merged
from crm_bridge.jobs.stage import STALL_POLICY, AlignStage
from crm_bridge.mapping.compile import as_datetime
from crm_bridge.model import RecordRef, Value
from crm_bridge.report.inputs import DEFAULT_NO_DECISION, PartnerLead, ReportInputs

#: Lead sources counted as marketing (case-insensitive): the canonical values of the example
#: ``lead_source`` picklist and common raw Salesforce / HubSpot values.
DEFAULT_MARKETING_SOURCES: tuple[str, ...] = (
    "web",
    "paid",
    "social",
    "email",
    "event",
    "content",
    "webinar",
    "trade show",
    "advertisement",
    "paid search",
    "paid social",
    "organic search",
    "social media",
    "email marketing",
)
FALLBACK_FIRST_CONTACT = "mql_first_contact"


@dataclass(frozen=True, slots=True)
class Definitions:
    """Shared report definitions that the mapping files do not hold.

    ``first_contact_policy`` ``None`` = the first person SLA policy that starts when the
    ``marketing_stage`` is entered and stops at a first sales activity.
    """

    marketing_sources: tuple[str, ...] = DEFAULT_MARKETING_SOURCES
    no_decision_reasons: tuple[str, ...] = DEFAULT_NO_DECISION
    marketing_stage: str = "mql"
    partner_field: str = "partner_account"
    first_contact_policy: str | None = None


class ReportCollector:
    """The ``observe`` hook of a run: keeps the run's alignment stage for :func:`collect`."""

    def __init__(self) -> None:
        self.stage: AlignStage | None = None

    def __call__(self, stage: AlignStage) -> None:
        self.stage = stage


def _text(value: Value) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


class _People:
    """Every CRM copy of a person mapped to the person's key, and the person's owner."""

    def __init__(self, rules: Rules, owners: Mapping[str, Owner]) -> None:
        self.rules = rules
        self.owners = owners
        self.key: dict[RecordRef, RecordRef] = {}

    def add(self, record: Merged) -> RecordRef:
        self.key[record.ref] = record.ref
        for source in record.sources.values():
            self.key.setdefault(source.ref, record.ref)
        return record.ref

    def of(self, ref: RecordRef) -> RecordRef:
        return self.key.get(ref, ref)

    def owner(self, record: Merged) -> Owner:
        """Canonical owner/team when mapped, else the first side's owner id found in the CRMs'
        users (the id itself when no user is known)."""
        canonical = owner_of(record)
        ids = [_text(record.get("owner_id"))]
        for source in record.sources.values():
            ids.append(_text(self.rules.fields.map(source).record.get("owner_id")))
        known = next((self.owners[i] for i in ids if i is not None and i in self.owners), None)
        first_id = next((i for i in ids if i is not None), None)
        return Owner(
            owner=canonical.owner or (known.owner if known else None) or first_id,
            team=canonical.team or (known.team if known else None),
        )


def _stage_times(
    rules: Rules, record: Merged, result: PersonAlignment, now: datetime
) -> tuple[dict[str, datetime], str | None]:
    """Known stage entry times, and the stage only inferred from the data's reach (if any)."""
    order = rules.funnel.order
    inferred: str | None = None
    stages = {s: t.astimezone(UTC) for s, t in result.decision.entered.items()}
    for spec in rules.funnel.config.stages:
        if spec.entered_from is None:
            continue
        at = as_datetime(record.get(spec.entered_from))
        if at is not None and (spec.name not in stages or at < stages[spec.name]):
            stages[spec.name] = at
    created = as_datetime(record.get("created_at"))
    if not any(s in order for s in stages):
        # an outcome stage (recycled, disqualified) or none: what the data reaches
        reached = rules.funnel.candidate(record, now)
        if reached is not None:
            stages[reached] = created or result.decision.entered_at or now
            inferred = reached
    if order and any(s in order for s in stages) and created is not None:
        first = next(iter(order))
        if first not in stages or created < stages[first]:
            stages[first] = created
    return stages, inferred


def _first_contact_policy(rules: Rules, definitions: Definitions) -> str:
    if definitions.first_contact_policy is not None:
        return definitions.first_contact_policy
    people = [p for p in rules.policies.values() if p.config.object == "person"]
    for policy in people:
        start, stops = policy.config.start, policy.config.stop
        if (
            isinstance(start, StageEntered)
            and definitions.marketing_stage in start.stages()
            and any(isinstance(s, FirstActivity) and s.first_activity == "sales" for s in stops)
        ):
            return policy.name
    return people[0].name if people else FALLBACK_FIRST_CONTACT


def _deal_stage_order(rules: Rules) -> tuple[str, ...]:
    spec = rules.fields.config.fields_of("opportunity").get("stage")
    if spec is None or spec.picklist is None:
        return ()
    return tuple(rules.fields.config.picklists.get(spec.picklist, {}))


def _closed_at(record: Merged) -> datetime | None:
    return as_datetime(record.get("stage_entered_at")) or as_datetime(record.get("close_date"))


def _unique(refs: Iterable[RecordRef]) -> tuple[RecordRef, ...]:
    return tuple(dict.fromkeys(refs))


def collect(
    stage: AlignStage,
    owners: Mapping[str, Owner] | None = None,
    definitions: Definitions | None = None,
) -> ReportInputs:
    """The report's inputs from the alignment stage of one run (as of the run's start).

    ``owners`` maps owner ids of both CRMs to names and teams (:func:`.owners.read_owners`).
    A full run gives a report over every record; an incremental run only over the records it
    read.
    """
    rules = stage.rules
    defs = definitions or Definitions()
    now = stage.now.astimezone(UTC)
    people = _People(rules, owners or {})
    marketing = {s.casefold() for s in defs.marketing_sources}

    leads: list[LeadFacts] = []
    personas: dict[RecordRef, str | None] = {}
    touched: set[RecordRef] = set()
    partner_leads: list[PartnerLead] = []
    for record, result in stage.person_records:
        key = people.add(record)
        stages, inferred = _stage_times(rules, record, result, now)
        source = _text(record.get("lead_source"))
        leads.append(LeadFacts(key, stages, people.owner(record), source))
        personas[key] = result.tags.persona_name or result.tags.persona
        qualified = defs.marketing_stage in stages and inferred != defs.marketing_stage
        if qualified or (source is not None and source.casefold() in marketing):
            touched.add(key)
        partner = result.partner
        if partner is not None and partner.clock is not None:
            name = _text(record.get(defs.partner_field))
            partner_leads.append(PartnerLead.from_result(key, partner, partner=name))

    deals: list[DealFacts] = []
    stalls: list[StallResult] = []
    committees: list[CommitteeResult] = []
    closed_at: dict[RecordRef, datetime] = {}
    for record, deal in stage.deal_records:
        facts = _deal(people, record, deal)
        deals.append(facts)
        if deal.committee is not None:
            committees.append(deal.committee)
        if facts.is_open and deal.stall is not None:
            stalls.append(deal.stall)
        when = _closed_at(record) if facts.is_closed else None
        if when is not None:
            closed_at[facts.ref] = when

    return ReportInputs(
        period_end=now,
        leads=leads,
        deals=deals,
        clocks=[c for c in stage.clocks if c.policy != STALL_POLICY],
        stalls=stalls,
        committees=committees,
        personas=personas,
        marketing_touched=frozenset(touched),
        partner_leads=partner_leads,
        deal_closed_at=closed_at,
        stage_order=tuple(rules.funnel.config.stage_names),
        deal_stage_order=_deal_stage_order(rules),
        marketing_sources=defs.marketing_sources,
        no_decision_reasons=defs.no_decision_reasons,
        first_contact_policy=_first_contact_policy(rules, defs),
    )


def _deal(people: _People, record: Merged, deal: OpportunityAlignment) -> DealFacts:
    members = deal.committee.members if deal.committee is not None else ()
    contacts = _unique(people.of(m.person) for m in members)
    facts = deal_facts(record, contacts)
    return replace(facts, owner=people.owner(record))
