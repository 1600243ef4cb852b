"""SLA clocks: the state machine of one follow-up promise on one record.

A clock starts when the policy's start event happens (e.g. the lead entered MQL), is due a
business duration later on the policy's calendar, turns ``at_risk`` once the at-risk share of
that duration has elapsed, and ends when the stop event happens (first sales activity, stage
advance, ...). States:

========== =============================================================
on_track   running, less than the at-risk share elapsed
at_risk    running, at-risk share elapsed, not yet due
breached   running at or after ``due_at`` (``breached_at = due_at``)
met        stopped before ``due_at``
met_late   stopped at or after ``due_at`` (``breached_at = due_at``)
========== =============================================================

``due_at`` is the first late instant: a stop exactly at ``due_at`` is late, and a running clock
is breached from ``due_at`` on. :func:`evaluate` is a pure function of its inputs and the
previous persisted clock: evaluating again with its own output as ``previous`` and the same
inputs returns the same clock, so a restart of the pipeline changes nothing. ``started_at``
never moves once set, except that a later start event opens a new clock when the policy
restarts (a recycled lead that becomes an MQL again gets a new first-contact clock). A
``stopped_at`` once recorded never moves, and a closed clock (``met`` / ``met_late``) is kept
as it was stored until a restart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crm_bridge.alignment.calendar import BusinessCalendar
from crm_bridge.config.sla import SlaPolicy
from crm_bridge.model import RecordRef, SlaState, Value

CLOSED_STATES: frozenset[str] = frozenset({"met", "met_late"})
OPEN_STATES: frozenset[str] = frozenset({"on_track", "at_risk", "breached"})

#: Canonical names of the alignment fields :func:`clock_fields` produces.
SLA_FIELDS: tuple[str, ...] = (
    "sla_policy",
    "sla_status",
    "sla_started_at",
    "sla_due_at",
    "sla_breached_at",
    "sla_owner_side",
    "sla_team",
)


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One persisted SLA clock (one record, one policy). Datetimes are aware UTC."""

    ref: RecordRef
    policy: str
    started_at: datetime
    due_at: datetime
    at_risk_at: datetime
    stopped_at: datetime | None
    state: SlaState
    breached_at: datetime | None

    @property
    def is_open(self) -> bool:
        """True while the clock runs (on_track, at_risk or breached)."""
        return self.state in OPEN_STATES


def _utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def deadlines(
    calendar: BusinessCalendar, started_at: datetime, duration: timedelta, at_risk: float
) -> tuple[datetime, datetime]:
    """``(at_risk_at, due_at)`` of a clock started at ``started_at``."""
    return calendar.add(started_at, duration * at_risk), calendar.add(started_at, duration)


def evaluate(
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    ref: RecordRef,
    *,
    start_at: datetime | None,
    stop_at: datetime | None,
    now: datetime,
    previous: SlaClock | None = None,
) -> SlaClock | None:
    """The clock of ``policy`` on record ``ref`` at ``now``.

    ``start_at`` is the time of the (latest) start event, ``stop_at`` the time of the first
    stop event after the start (``None`` when none happened), ``previous`` the clock persisted
    by the last run. Returns ``None`` when the clock never started. A stop before the start
    or after ``now`` is ignored.
    """
    now = _utc(now, "now")
    start_at = None if start_at is None else _utc(start_at, "start_at")
    stop_at = None if stop_at is None else _utc(stop_at, "stop_at")
    if previous is not None and (previous.policy != policy.name or previous.ref != ref):
        raise ValueError(
            f"previous clock is for {previous.ref} / {previous.policy}, not {ref} / {policy.name}"
        )
    same = previous
    if previous is None:
        if start_at is None:
            return None
        started = start_at
    else:
        started = previous.started_at
        if policy.restart and start_at is not None and start_at > started:
            started, same = start_at, None
    if same is not None and same.state in CLOSED_STATES:
        return same
    duration = policy.business_duration(calendar.day_length)
    at_risk_at, due_at = deadlines(calendar, started, duration, policy.at_risk)
    stopped = same.stopped_at if same is not None else None
    if stopped is None and stop_at is not None and started <= stop_at <= now:
        stopped = stop_at
    state: SlaState
    breached_at: datetime | None = None
    if stopped is not None:
        state = "met" if stopped < due_at else "met_late"
    elif now >= due_at:
        state = "breached"
    elif now >= at_risk_at:
        state = "at_risk"
    else:
        state = "on_track"
    if state in ("breached", "met_late"):
        breached_at = due_at
    return SlaClock(
        ref=ref,
        policy=policy.name,
        started_at=started,
        due_at=due_at,
        at_risk_at=at_risk_at,
        stopped_at=stopped,
        state=state,
        breached_at=breached_at,
    )


def clock_fields(clock: SlaClock | None, policy: SlaPolicy | None) -> dict[str, Value]:
    """The alignment field values to write for ``clock`` (canonical names, see
    :data:`SLA_FIELDS`), plus the policy's ``on_breach`` values while breached or met late.

    Without a clock every field is ``None`` (nothing to show). The ``on_breach`` keys are
    always present (``None`` when not breached) so a restart clears them.
    """
    out: dict[str, Value] = dict.fromkeys(SLA_FIELDS)
    if policy is not None:
        out.update(dict.fromkeys(policy.on_breach))
    if clock is None or policy is None:
        return out
    out.update(
        sla_policy=clock.policy,
        sla_status=clock.state,
        sla_started_at=clock.started_at,
        sla_due_at=clock.due_at,
        sla_breached_at=clock.breached_at,
        sla_owner_side=policy.owner_side,
        sla_team=policy.team,
    )
    if clock.state in ("breached", "met_late"):
        out.update(policy.on_breach)
    return out


def current_clock(clocks: Iterable[SlaClock]) -> SlaClock | None:
    """The clock to show on the record when several policies apply: the open clock started
    last, else the closed clock started last (ties: the first given)."""
    best: SlaClock | None = None
    for clock in clocks:
        if best is None:
            best = clock
            continue
        if (clock.is_open, clock.started_at) > (best.is_open, best.started_at):
            best = clock
    return best
