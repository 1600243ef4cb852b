"""Closed loop for leads handed to partners and resellers.

The partner's answer is a raw value in a CRM field (``Accepted``, ``Won``, ``Returned``, ...)
that ``partner_loop.outcomes`` in ``sla.yaml`` maps to one of ``accepted``, ``converted``,
``recycled`` or ``lost``. The deadline is the clock of the SLA policy the loop names: an answer
stops it, and a lead still without an answer when the clock breaches is ``no_response``. A late
answer replaces ``no_response`` (the clock then says ``met_late``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from crm_bridge.alignment.sla import SlaClock
from crm_bridge.alignment.sla_events import CompiledPolicy, SlaFacts, evaluate_policy
from crm_bridge.config.sla import PartnerLoop, PartnerOutcome
from crm_bridge.model import Value

#: Canonical names of the fields :meth:`PartnerResult.fields` produces.
PARTNER_FIELDS: tuple[str, ...] = ("partner_outcome", "partner_responded_at")


@dataclass(frozen=True, slots=True)
class PartnerResult:
    """The closed-loop outcome of one partner lead and its response clock."""

    outcome: PartnerOutcome | None
    clock: SlaClock | None

    def fields(self) -> dict[str, Value]:
        """Alignment field values: the outcome (``None`` while waiting) and the answer time."""
        responded = None
        if self.clock is not None and self.outcome not in (None, "no_response"):
            responded = self.clock.stopped_at
        return {"partner_outcome": self.outcome, "partner_responded_at": responded}


def classify_outcome(loop: PartnerLoop, raw: Value) -> PartnerOutcome | None:
    """Map the partner's raw answer to an outcome (case-insensitive); ``None`` if unknown/empty."""
    if raw is None or raw == "":
        return None
    key = str(raw).strip().casefold()
    for outcome, raws in loop.outcomes.items():
        if any(key == r.strip().casefold() for r in raws):
            return outcome
    return None


def evaluate_partner(
    loop: PartnerLoop,
    policy: CompiledPolicy,
    facts: SlaFacts,
    now: datetime,
    previous: SlaClock | None,
) -> PartnerResult:
    """Evaluate the response clock and the outcome of one partner lead.

    The clock starts by the policy's start event (the hand-over) and stops at the first of the
    policy's stop events and the partner's answer; the answer's time is the field
    ``loop.outcome_at_field`` when set, else the record's modification time.
    """
    outcome = classify_outcome(loop, facts.record.get(loop.outcome_field))
    answered_at: datetime | None = None
    if outcome is not None:
        value = facts.record.get(loop.outcome_at_field) if loop.outcome_at_field else None
        when = value if isinstance(value, datetime) and value.tzinfo is not None else None
        answered_at = min((when or facts.record.modified_at).astimezone(UTC), now)
    clock = evaluate_policy(policy, facts, now, previous, also_stop_at=answered_at)
    if clock is None:
        return PartnerResult(outcome=None, clock=None)
    if outcome is None and clock.state == "breached":
        return PartnerResult(outcome="no_response", clock=clock)
    return PartnerResult(outcome=outcome, clock=clock)
