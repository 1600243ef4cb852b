"""Stalled deals: open opportunities without stage change and without activity for too long.

An open opportunity is stalled when its stage has not changed for more than its stage's
``no_stage_change_days`` **and** it has had no activity for more than ``no_activity_days``
(``mappings/alignment.yaml``). The stage-entry time is the canonical ``stage_entered_at``
(Salesforce ``LastStageChangeDate``, HubSpot ``hs_date_entered_<stage>``), falling back to the
creation time; a deal with no recorded activity counts as inactive since it entered its stage.
Days are whole calendar days. ``days_stalled`` is the time since the last sign of life (the
later of stage change and activity).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from crm_bridge.config.alignment import StallConfig, StallThreshold
from crm_bridge.model import Canonical, RecordRef, Value

Predicate = Callable[[Canonical, datetime], bool]

#: Canonical names of the fields :meth:`StallResult.fields` produces.
STALL_FIELDS: tuple[str, ...] = ("stalled", "stall_reason", "stall_days", "marketing_assist")
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class StallResult:
    """The stall verdict on one opportunity."""

    ref: RecordRef
    stage: str | None
    stalled: bool
    days_without_stage_change: int | None
    days_without_activity: int | None
    days_stalled: int
    threshold: StallThreshold
    reason: str
    marketing_assist: bool
    amount: float | None

    def fields(self) -> dict[str, Value]:
        """Alignment field values: flag, reason (empty when not stalled), days, assist flag."""
        return {
            "stalled": self.stalled,
            "stall_reason": self.reason or None,
            "stall_days": self.days_stalled if self.stalled else None,
            "marketing_assist": self.marketing_assist,
        }


def _days(now: datetime, then: datetime | None) -> int | None:
    if then is None:
        return None
    if then.tzinfo is None:
        raise ValueError(f"datetimes must be timezone-aware, got naive {then.isoformat()}")
    return max(0, (now - then.astimezone(UTC)) // _DAY)


def detect_stall(
    config: StallConfig,
    ref: RecordRef,
    *,
    stage: str | None,
    is_closed: bool,
    stage_entered_at: datetime | None,
    last_activity_at: datetime | None,
    now: datetime,
    created_at: datetime | None = None,
    amount: float | None = None,
    assist: bool = True,
) -> StallResult:
    """Judge one opportunity. ``assist`` is the outcome of the marketing-assist condition
    (true when there is none); amount and days limits of the rule are applied here."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    threshold = config.threshold(stage)
    entered = stage_entered_at or created_at
    days_stage = _days(now, entered)
    days_activity = _days(now, last_activity_at)
    if days_activity is None:
        days_activity = days_stage
    stalled = (
        not is_closed
        and not config.ignored(stage)
        and days_stage is not None
        and days_activity is not None
        and days_stage > threshold.no_stage_change_days
        and days_activity > threshold.no_activity_days
    )
    reason = ""
    days_stalled = 0
    help_wanted = False
    if stalled and days_stage is not None and days_activity is not None:
        days_stalled = min(days_stage, days_activity)
        activity = (
            f"no activity for {days_activity} days"
            if last_activity_at is not None
            else "no activity recorded"
        )
        reason = (
            f"no stage change for {days_stage} days "
            f"(threshold {threshold.no_stage_change_days}) and {activity} "
            f"(threshold {threshold.no_activity_days}) in stage {stage or 'unknown'}"
        )
        rule = config.marketing_assist
        help_wanted = (
            rule is not None
            and assist
            and (amount or 0) >= rule.min_amount
            and days_stalled >= rule.min_days_stalled
        )
    return StallResult(
        ref=ref,
        stage=stage,
        stalled=stalled,
        days_without_stage_change=days_stage,
        days_without_activity=days_activity,
        days_stalled=days_stalled,
        threshold=threshold,
        reason=reason,
        marketing_assist=help_wanted,
        amount=amount,
    )


def _dt(value: Value) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _num(value: Value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def stall_for(
    config: StallConfig,
    opportunity: Canonical,
    now: datetime,
    assist_when: Predicate | None = None,
) -> StallResult:
    """:func:`detect_stall` on a canonical opportunity, reading the canonical fields
    ``stage``, ``is_closed``, ``stage_entered_at``, ``last_activity_at``, ``created_at`` and
    ``amount``; ``assist_when`` is the compiled marketing-assist condition, if any."""
    stage = opportunity.get("stage")
    return detect_stall(
        config,
        opportunity.ref,
        stage=None if stage is None else str(stage),
        is_closed=bool(opportunity.get("is_closed")),
        stage_entered_at=_dt(opportunity.get("stage_entered_at")),
        last_activity_at=_dt(opportunity.get("last_activity_at")),
        created_at=_dt(opportunity.get("created_at")),
        amount=_num(opportunity.get("amount")),
        now=now,
        assist=assist_when is None or assist_when(opportunity, now),
    )
