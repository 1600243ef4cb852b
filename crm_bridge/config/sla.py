"""Schema of ``mappings/sla.yaml``: business calendars, SLA policies and the partner closed loop.

::

    calendars:
      - name: us_sales
        timezone: America/New_York
        working_days: [mon, tue, wed, thu, fri]
        working_hours: ["09:00-12:30", "13:30-18:00"]
        holidays: [{country: US}]
        closed_dates: [2026-12-24]
    policies:
      - name: mql_first_contact
        object: person
        start: {stage_entered: mql}
        stop: [{first_activity: sales}, {stage_entered: [sal, sql]}]
        duration: 4h            # business hours; 5d = five business days
        at_risk: 75%
        calendar: us_sales
        owner_side: sales
        team: inside_sales
        on_breach: {sla_escalation: manager}
    partner_loop:
      policy: partner_acceptance
      outcome_field: partner_status
      outcomes: {accepted: [Accepted], converted: [Converted], recycled: [Returned], lost: [Lost]}

The root model is :class:`SlaFile`. Every model forbids unknown keys; cross references
(calendar names, the partner policy) are checked on load. Loading a file with line numbers is
:mod:`crm_bridge.project`'s job.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from functools import cache
from itertools import pairwise
from typing import Annotated, Any, Literal, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from crm_bridge.conditions import Condition
from crm_bridge.model import ObjectKind

Weekday: TypeAlias = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OwnerSide: TypeAlias = Literal["sales", "marketing", "partner"]
PartnerOutcome: TypeAlias = Literal["accepted", "converted", "recycled", "lost", "no_response"]
PARTNER_OUTCOMES: tuple[str, ...] = ("accepted", "converted", "recycled", "lost", "no_response")

_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_BUSINESS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|h|d)\s*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
Name = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
WriteValue: TypeAlias = str | int | float | bool | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@cache
def _supported_countries() -> dict[str, list[str]]:
    import holidays

    result: dict[str, list[str]] = holidays.list_supported_countries()
    return result


def parse_hours(text: str) -> tuple[time, time | None]:
    """``'09:00-12:30'`` -> (09:00, 12:30); an end of ``24:00`` is returned as ``None``."""
    m = _HOURS.match(text)
    if not m:
        raise ValueError(f"expected working hours such as '09:00-17:00', found {text!r}")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
        raise ValueError(f"not a valid time range: {text!r}")
    start = time(h1, m1)
    end = None if h2 == 24 else time(h2, m2)
    if end is not None and end <= start:
        raise ValueError(f"working hours must end after they start, found {text!r}")
    return start, end


@cache
def parse_business_duration(text: str) -> tuple[float, Literal["m", "h", "d"]]:
    """``'4h'`` -> (4.0, 'h'); ``'5d'`` -> (5.0, 'd') (business days); ``'90m'`` minutes."""
    m = _BUSINESS.match(str(text))
    if not m or float(m.group(1)) <= 0:
        raise ValueError(
            f"expected a positive business duration such as 90m, 4h or 5d, found {text!r}"
        )
    unit: Literal["m", "h", "d"] = m.group(2)  # type: ignore[assignment]
    return float(m.group(1)), unit


def parse_fraction(value: Any) -> float:
    """``'75%'``, ``75`` or ``0.75`` -> 0.75; must lie strictly between 0 and 1."""
    if isinstance(value, str):
        m = _PERCENT.match(value)
        if not m:
            try:
                number = float(value)
            except ValueError:
                raise ValueError(f"expected a percentage such as '75%', found {value!r}") from None
        else:
            number = float(m.group(1)) / 100
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        raise ValueError(f"expected a percentage such as '75%', found {value!r}")
    if number > 1:
        number /= 100
    if not 0 < number < 1:
        raise ValueError(f"expected a percentage between 0% and 100% (exclusive), found {value!r}")
    return number


def _weekdays() -> list[Weekday]:
    return ["mon", "tue", "wed", "thu", "fri"]


class HolidaySource(_Strict):
    """Public holidays of a country (ISO 3166 code) and optionally one subdivision (state)."""

    country: str
    subdivision: str | None = None

    @model_validator(mode="after")
    def _check(self) -> HolidaySource:
        countries = _supported_countries()
        if self.country not in countries:
            raise ValueError(
                f"unknown holiday country {self.country!r}: use an ISO 3166 code such as US, GB, DE"
            )
        subdivisions = countries[self.country]
        if self.subdivision is not None and self.subdivision not in subdivisions:
            shown = ", ".join(subdivisions[:12]) + (", ..." if len(subdivisions) > 12 else "")
            raise ValueError(
                f"unknown subdivision {self.subdivision!r} for {self.country}: expected one of {shown}"
            )
        return self


class CalendarConfig(_Strict):
    """A business calendar: when a team counts as working."""

    name: Name
    timezone: str
    working_days: list[Weekday] = Field(default_factory=_weekdays)
    working_hours: list[str] = Field(default_factory=lambda: ["09:00-17:00"])
    holidays: list[HolidaySource] = Field(default_factory=list)
    closed_dates: list[date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown IANA timezone {value!r}: use a name such as America/New_York or Europe/London"
            ) from None
        return value

    @field_validator("working_days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("a calendar needs at least one working day")
        if len(set(value)) != len(value):
            raise ValueError("working_days lists a day twice")
        return value

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("a calendar needs at least one range of working hours")
        ranges = sorted((parse_hours(v) for v in value), key=lambda r: r[0])
        for (_, end), (start, _) in pairwise(ranges):
            if end is None or end > start:
                raise ValueError(f"working hours overlap: {', '.join(value)}")
        return value

    def hour_ranges(self) -> list[tuple[time, time | None]]:
        """The working-hour ranges, sorted; ``None`` as an end means midnight (24:00)."""
        return sorted((parse_hours(v) for v in self.working_hours), key=lambda r: r[0])

    def weekday_numbers(self) -> frozenset[int]:
        """Working days as ``date.weekday()`` numbers (Monday = 0)."""
        return frozenset(WEEKDAYS.index(d) for d in self.working_days)


class StageEntered(_Strict):
    """Event: the record entered one of these lifecycle stages."""

    stage_entered: str | list[str]

    def stages(self) -> tuple[str, ...]:
        s = self.stage_entered
        return (s,) if isinstance(s, str) else tuple(s)


class OwnerAssigned(_Strict):
    """Event: an owner was assigned to the record."""

    owner_assigned: Literal[True]


class FirstActivity(_Strict):
    """Event: the first activity (call, email, meeting) by this side after the clock started."""

    first_activity: OwnerSide


class StatusChanged(_Strict):
    """Event: the record's status changed after the clock started."""

    status_changed: Literal[True]


class StageAdvanced(_Strict):
    """Event: the lifecycle stage changed after the clock started."""

    stage_advanced: Literal[True]


class ConditionEvent(_Strict):
    """Event: a structured condition holds; ``at`` names a datetime field holding when it
    happened (without it, the record's modification time is used)."""

    when: Condition
    at: str | None = None


_EVENT_KEYS = {
    "stage_entered": StageEntered,
    "owner_assigned": OwnerAssigned,
    "first_activity": FirstActivity,
    "status_changed": StatusChanged,
    "stage_advanced": StageAdvanced,
    "when": ConditionEvent,
}


def _event_kind(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        for key, cls in _EVENT_KEYS.items():
            if type(value) is cls:
                return key
    if isinstance(value, dict):
        for key in _EVENT_KEYS:
            if key in value:
                return key
    return None


StartEvent: TypeAlias = Annotated[
    Annotated[StageEntered, Tag("stage_entered")]
    | Annotated[OwnerAssigned, Tag("owner_assigned")]
    | Annotated[ConditionEvent, Tag("when")],
    Discriminator(
        _event_kind,
        custom_error_type="start_event",
        custom_error_message=(
            "expected a start event: {stage_entered: STAGE}, {owner_assigned: true} "
            "or {when: CONDITION, at: FIELD}"
        ),
    ),
]
StopEvent: TypeAlias = Annotated[
    Annotated[FirstActivity, Tag("first_activity")]
    | Annotated[StatusChanged, Tag("status_changed")]
    | Annotated[StageAdvanced, Tag("stage_advanced")]
    | Annotated[StageEntered, Tag("stage_entered")]
    | Annotated[ConditionEvent, Tag("when")],
    Discriminator(
        _event_kind,
        custom_error_type="stop_event",
        custom_error_message=(
            "expected a stop event: {first_activity: sales|marketing|partner}, "
            "{status_changed: true}, {stage_advanced: true}, {stage_entered: [STAGES]} "
            "or {when: CONDITION, at: FIELD}"
        ),
    ),
]


class SlaPolicy(_Strict):
    """One promise: from ``start``, someone on ``owner_side`` must reach ``stop`` within
    ``duration`` business time on ``calendar``."""

    name: Name
    object: ObjectKind = "person"
    start: StartEvent
    stop: list[StopEvent]
    duration: str
    at_risk: float = 0.75
    calendar: str
    owner_side: OwnerSide
    team: str | None = None
    restart: bool = Field(
        default=True,
        description="a new start event after the clock started opens a new clock (recycle)",
    )
    on_breach: dict[str, WriteValue] = Field(default_factory=dict)

    @field_validator("stop", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return [value]
        if isinstance(value, list) and not value:
            raise ValueError("a policy needs at least one stop event")
        return value

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_business_duration(value)
        return value

    @field_validator("at_risk", mode="before")
    @classmethod
    def _at_risk(cls, value: Any) -> float:
        return parse_fraction(value)

    def business_duration(self, day_length: timedelta) -> timedelta:
        """The duration as business time; ``d`` counts working days of ``day_length`` each."""
        amount, unit = parse_business_duration(self.duration)
        if unit == "d":
            return day_length * amount
        return timedelta(minutes=amount) if unit == "m" else timedelta(hours=amount)


class PartnerLoop(_Strict):
    """Closed loop for leads handed to partners or resellers.

    ``policy`` names the SLA policy whose deadline the partner must answer within;
    ``outcome_field`` is the canonical field holding the partner's answer (``outcome_at_field``
    optionally the datetime field holding when it was given), and ``outcomes``
    maps each outcome to the raw values that mean it (compared case-insensitively). A lead
    still without an answer when the deadline passes is ``no_response``.
    """

    policy: str
    outcome_field: str
    outcome_at_field: str | None = None
    outcomes: dict[Literal["accepted", "converted", "recycled", "lost"], list[str]]

    @field_validator("outcomes")
    @classmethod
    def _no_overlap(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        seen: dict[str, str] = {}
        for outcome, raws in value.items():
            for raw in raws:
                key = raw.casefold()
                if key in seen and seen[key] != outcome:
                    raise ValueError(f"value {raw!r} is listed for both {seen[key]} and {outcome}")
                seen[key] = outcome
        return value


class SlaFile(_Strict):
    """Root model of ``mappings/sla.yaml``."""

    calendars: list[CalendarConfig]
    policies: list[SlaPolicy] = Field(default_factory=list)
    partner_loop: PartnerLoop | None = None

    @model_validator(mode="after")
    def _references(self) -> SlaFile:
        cal_names = [c.name for c in self.calendars]
        pol_names = [p.name for p in self.policies]
        for kind, names in (("calendar", cal_names), ("policy", pol_names)):
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"{kind} names must be unique, repeated: {', '.join(dupes)}")
        for p in self.policies:
            if p.calendar not in cal_names:
                raise ValueError(
                    f"policy {p.name!r} uses calendar {p.calendar!r}, which is not defined "
                    f"(calendars: {', '.join(cal_names) or 'none'})"
                )
        if self.partner_loop is not None:
            loop = self.partner_loop
            if loop.policy not in pol_names:
                raise ValueError(f"partner_loop.policy {loop.policy!r} is not a defined policy")
            policy = self.policy(loop.policy)
            if policy.owner_side != "partner":
                raise ValueError(
                    f"partner_loop.policy {loop.policy!r} must have owner_side: partner"
                )
        return self

    def calendar(self, name: str) -> CalendarConfig:
        """The calendar called ``name`` (``KeyError`` when there is none)."""
        for c in self.calendars:
            if c.name == name:
                return c
        raise KeyError(name)

    def policy(self, name: str) -> SlaPolicy:
        """The policy called ``name`` (``KeyError`` when there is none)."""
        for p in self.policies:
            if p.name == name:
                return p
        raise KeyError(name)
