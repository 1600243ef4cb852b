"""The alignment stage: shared definitions applied to one linked record at a time.

:class:`Rules` compiles the project's mapping files once per run (field mapping, funnel,
persona rules, SLA policies, stall and committee rules). :func:`align_person` and
:func:`align_opportunity` turn one merged canonical record into the alignment values to write
(canonical names, as in the ``write:`` section of ``mappings/fields.yaml``) plus the typed
results the report and the state store keep (stage decision, tags, SLA clocks, stall and
committee verdicts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from crm_bridge.alignment.committee import CommitteeResult, assess_committee
from crm_bridge.alignment.partner import PartnerResult, evaluate_partner
from crm_bridge.alignment.sla import SlaClock, clock_fields, current_clock
from crm_bridge.alignment.sla_events import CompiledPolicy, SlaFacts, compile_policies
from crm_bridge.alignment.sla_events import evaluate_policy as evaluate_sla
from crm_bridge.alignment.stalls import StallResult, stall_for
from crm_bridge.config.alignment import AlignmentFile
from crm_bridge.config.sla import OwnerSide, SlaFile
from crm_bridge.mapping.compile import Predicate, compile_condition
from crm_bridge.mapping.fields import FieldMapper
from crm_bridge.mapping.lifecycle import Funnel, StageDecision
from crm_bridge.mapping.personas import PersonaClassifier, PersonaTags
from crm_bridge.model import BuyingRole, Canonical, ContactRole, RecordRef, Value

#: Canonical alignment fields of persons produced here (SLA and partner fields come from
#: :mod:`crm_bridge.alignment`).
PERSON_FIELDS: tuple[str, ...] = (
    "lifecycle_stage",
    "lifecycle_stage_entered_at",
    "lifecycle_reason",
    "function",
    "seniority",
    "persona",
    "buying_role",
    "persona_rule",
)


@dataclass(frozen=True, slots=True)
class Rules:
    """The project's shared definitions, compiled once per run."""

    fields: FieldMapper
    funnel: Funnel
    personas: PersonaClassifier
    policies: Mapping[str, CompiledPolicy]
    sla: SlaFile | None
    alignment: AlignmentFile | None
    assist_when: Predicate | None

    @classmethod
    def compile(
        cls,
        fields: FieldMapper,
        funnel: Funnel,
        personas: PersonaClassifier,
        sla: SlaFile | None,
        alignment: AlignmentFile | None,
    ) -> Rules:
        """Compile SLA policies and the marketing-assist condition."""
        policies = compile_policies(sla, compile_condition) if sla is not None else {}
        assist = None
        if alignment is not None and alignment.stalls.marketing_assist is not None:
            when = alignment.stalls.marketing_assist.when
            assist = compile_condition(when) if when is not None else None
        return cls(fields, funnel, personas, policies, sla, alignment, assist)


@dataclass(slots=True)
class PersonAlignment:
    """Everything computed for one person."""

    values: dict[str, Value]
    decision: StageDecision
    tags: PersonaTags
    clocks: list[SlaClock] = field(default_factory=list)
    partner: PartnerResult | None = None

    @property
    def shown_clock(self) -> SlaClock | None:
        return current_clock(self.clocks)


@dataclass(slots=True)
class OpportunityAlignment:
    """Everything computed for one opportunity."""

    values: dict[str, Value]
    stall: StallResult | None
    committee: CommitteeResult | None


def activity_time(value: Value) -> datetime | None:
    """An activity timestamp; a date alone counts as the end of that day (UTC)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59), UTC)
    return None


def sales_activities(record: Canonical) -> dict[OwnerSide, list[datetime]]:
    """The known sales activity times of a person: the first (``first_activity_at``) and the
    last (``last_activity_at``). A first-activity stop counts the earliest of them after the
    clock started, so the first activity wins when known and the last one is the fallback."""
    first = activity_time(record.get("first_activity_at"))
    last = activity_time(record.get("last_activity_at"))
    if first is not None and last is not None and last < first:
        last = None  # e.g. Salesforce's date-only LastActivityDate read as midnight: inexact
    known = sorted(t for t in (first, last) if t is not None)
    return {"sales": known} if known else {}


def align_person(
    rules: Rules,
    record: Canonical,
    now: datetime,
    *,
    previous_stage: str | None,
    entered: Mapping[str, datetime],
    previous_clocks: Mapping[str, SlaClock],
) -> PersonAlignment:
    """Lifecycle stage, persona tags, default buying role and SLA clocks of one person."""
    decision = rules.funnel.decide(record, now, previous_stage, entered)
    tags = rules.personas.classify(record.get("title"), record.get("department"))
    values: dict[str, Value] = {
        "lifecycle_stage": decision.stage,
        "lifecycle_stage_entered_at": decision.entered_at,
        "lifecycle_reason": decision.reason,
        "function": tags.function,
        "seniority": tags.seniority,
        "persona": tags.persona_name or tags.persona,
        "buying_role": tags.buying_role,
        "persona_rule": tags.rule or None,
    }
    result = PersonAlignment(values, decision, tags)
    if rules.sla is None:
        return result
    facts = SlaFacts(
        record=record,
        stage_entered_at=decision.entered,
        stage_changed_at=decision.entered_at if decision.changed else None,
        owner_assigned_at=activity_time(record.get("owner_assigned_at")),
        status_changed_at=activity_time(record.get("status_changed_at")),
        activities=sales_activities(record),
    )
    partner_policy = rules.sla.partner_loop.policy if rules.sla.partner_loop else None
    for name, policy in rules.policies.items():
        if policy.config.object != "person":
            continue
        previous = previous_clocks.get(name)
        if name == partner_policy and rules.sla.partner_loop is not None:
            result.partner = evaluate_partner(rules.sla.partner_loop, policy, facts, now, previous)
            clock = result.partner.clock
        else:
            clock = evaluate_sla(policy, facts, now, previous)
        if clock is not None:
            result.clocks.append(clock)
    shown = result.shown_clock
    values.update(clock_fields(shown, rules.sla.policy(shown.policy) if shown else None))
    if result.partner is not None:
        values.update(result.partner.fields())
    return result


def align_opportunity(
    rules: Rules,
    record: Canonical,
    now: datetime,
    *,
    contact_roles: Sequence[ContactRole],
    persona_roles: Mapping[RecordRef, BuyingRole | None],
    last_activity: Mapping[RecordRef, datetime | None],
) -> OpportunityAlignment:
    """Stall verdict and committee coverage of one opportunity."""
    values: dict[str, Value] = {}
    if rules.alignment is None:
        return OpportunityAlignment(values, None, None)
    stall = stall_for(rules.alignment.stalls, record, now, rules.assist_when)
    values.update(stall.fields())
    amount = record.get("amount")
    committee = assess_committee(
        rules.alignment.committee,
        record.ref,
        contact_roles,
        persona_roles=persona_roles,
        last_activity=last_activity,
        now=now,
        amount=float(amount) if isinstance(amount, int | float) else None,
    )
    values.update(committee.fields())
    return OpportunityAlignment(values, stall, committee)
