"""Finding the start and stop events of SLA policies in what the pipeline knows of a record.

The pipeline fills one :class:`SlaFacts` per record (lifecycle stage entry times from the
lifecycle decision, owner assignment, status change, known activity times per side) and calls
:func:`evaluate_policy` with the persisted clock. Condition events use callables compiled by
:mod:`crm_bridge.mapping.compile` (``(record, now) -> bool``), injected through
:func:`compile_policies`, so this module stays free of the mapping layer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from crm_bridge.alignment.calendar import BusinessCalendar
from crm_bridge.alignment.sla import SlaClock, evaluate
from crm_bridge.conditions import Condition
from crm_bridge.config.sla import (
    ConditionEvent,
    FirstActivity,
    OwnerAssigned,
    OwnerSide,
    SlaFile,
    SlaPolicy,
    StageAdvanced,
    StageEntered,
    StatusChanged,
)
from crm_bridge.model import Canonical

#: A compiled condition: ``(record, now) -> bool``.
Predicate = Callable[[Canonical, datetime], bool]
ConditionCompiler = Callable[[Condition], Predicate]


@dataclass(frozen=True, slots=True)
class SlaFacts:
    """What the pipeline knows about one record for SLA purposes (aware datetimes).

    ``stage_entered_at`` maps each lifecycle stage to the latest time the record entered it;
    ``stage_changed_at`` is the last lifecycle stage change; ``activities`` holds the known
    activity times per side (for example the first and the last sales activity).
    """

    record: Canonical
    stage_entered_at: Mapping[str, datetime] = field(default_factory=dict)
    stage_changed_at: datetime | None = None
    owner_assigned_at: datetime | None = None
    status_changed_at: datetime | None = None
    activities: Mapping[OwnerSide, Sequence[datetime]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """A policy with its calendar, business duration and compiled conditions."""

    config: SlaPolicy
    calendar: BusinessCalendar
    duration: timedelta
    start_when: Predicate | None
    stop_when: tuple[Predicate | None, ...]

    @property
    def name(self) -> str:
        return self.config.name


def compile_policies(
    sla: SlaFile, compile_condition: ConditionCompiler
) -> dict[str, CompiledPolicy]:
    """Compile every policy of ``sla``, by name; one :class:`BusinessCalendar` per calendar."""
    calendars = {c.name: BusinessCalendar.from_config(c) for c in sla.calendars}
    out: dict[str, CompiledPolicy] = {}
    for policy in sla.policies:
        cal = calendars[policy.calendar]
        start = policy.start
        out[policy.name] = CompiledPolicy(
            config=policy,
            calendar=cal,
            duration=policy.business_duration(cal.day_length),
            start_when=compile_condition(start.when) if isinstance(start, ConditionEvent) else None,
            stop_when=tuple(
                compile_condition(s.when) if isinstance(s, ConditionEvent) else None
                for s in policy.stop
            ),
        )
    return out


def _condition_time(
    event: ConditionEvent, predicate: Predicate | None, facts: SlaFacts, now: datetime
) -> tuple[datetime, bool] | None:
    """When a condition event happened and whether that time is known (from ``at``)."""
    if predicate is None or not predicate(facts.record, now):
        return None
    if event.at is not None:
        value = facts.record.get(event.at)
        if isinstance(value, datetime) and value.tzinfo is not None:
            return min(value.astimezone(UTC), now), True
    return min(facts.record.modified_at.astimezone(UTC), now), False


def start_time(policy: CompiledPolicy, facts: SlaFacts, now: datetime) -> datetime | None:
    """When the policy's start event last happened, or ``None``."""
    start = policy.config.start
    if isinstance(start, StageEntered):
        times = [facts.stage_entered_at[s] for s in start.stages() if s in facts.stage_entered_at]
        return max(times) if times else None
    if isinstance(start, OwnerAssigned):
        return facts.owner_assigned_at
    found = _condition_time(start, policy.start_when, facts, now)
    return None if found is None else found[0]


def _after(times: Iterable[datetime | None], started: datetime, strict: bool) -> datetime | None:
    found = [t for t in times if t is not None and (t > started if strict else t >= started)]
    return min(found) if found else None


def stop_time(
    policy: CompiledPolicy, facts: SlaFacts, started_at: datetime, now: datetime
) -> datetime | None:
    """When the first stop event after ``started_at`` happened, or ``None``.

    Activities, status and stage changes count only after the start. A stop condition with an
    ``at`` field counts when that time is not before the start (an enrolment from an earlier
    cycle does not stop a new clock); without ``at`` its time is the record's modification
    time, and a condition that already held at the start stops the clock at the start.
    """
    found: list[datetime] = []
    for event, predicate in zip(policy.config.stop, policy.stop_when, strict=True):
        t: datetime | None
        if isinstance(event, FirstActivity):
            t = _after(facts.activities.get(event.first_activity, ()), started_at, strict=False)
        elif isinstance(event, StatusChanged):
            t = _after([facts.status_changed_at], started_at, strict=True)
        elif isinstance(event, StageAdvanced):
            t = _after([facts.stage_changed_at], started_at, strict=True)
        elif isinstance(event, StageEntered):
            t = _after(
                (facts.stage_entered_at.get(s) for s in event.stages()), started_at, strict=False
            )
        else:
            hit = _condition_time(event, predicate, facts, now)
            t = None
            if hit is not None:
                when, known = hit
                if when >= started_at:
                    t = when
                elif not known:  # held already, time unknown: stops at the start
                    t = started_at
        if t is not None:
            found.append(t)
    return min(found) if found else None


def evaluate_policy(
    policy: CompiledPolicy,
    facts: SlaFacts,
    now: datetime,
    previous: SlaClock | None,
    *,
    also_stop_at: datetime | None = None,
) -> SlaClock | None:
    """Find the events in ``facts`` and evaluate the clock (see :func:`sla.evaluate`).

    ``also_stop_at`` is one more stop event time (the partner's answer), counted when it is
    not before the start.
    """
    started = start_time(policy, facts, now)
    effective = started
    if previous is not None and not (
        policy.config.restart and started is not None and started > previous.started_at
    ):
        effective = previous.started_at
    stop = None if effective is None else stop_time(policy, facts, effective, now)
    if effective is not None and also_stop_at is not None and also_stop_at >= effective:
        stop = also_stop_at if stop is None else min(stop, also_stop_at)
    return evaluate(
        policy.config,
        policy.calendar,
        facts.record.ref,
        start_at=started,
        stop_at=stop,
        now=now,
        previous=previous,
    )
