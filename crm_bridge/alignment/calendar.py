"""Business-hours calendars: add business time to an instant and measure business time between two.

A :class:`BusinessCalendar` knows a timezone, the working weekdays, the (possibly split) working
hours of a working day, public holidays (through the ``holidays`` package, by country and
subdivision) and extra closed dates. Working hours are local wall-clock times, so a DST change
moves them in UTC but not on the wall; open intervals are computed per local date in UTC and
measured in real elapsed time.

Conventions:

- Inputs must be timezone-aware; outputs are aware UTC datetimes.
- Open intervals are half-open ``[open, close)``: :meth:`BusinessCalendar.is_open` is false at
  the closing instant.
- :meth:`BusinessCalendar.add` returns the *earliest* instant at which the given business time
  has elapsed: 4 business hours from Friday 13:00 on a 09:00-17:00 calendar is Friday 17:00,
  not Monday 09:00 (the two are the same business moment). For a positive duration the result
  is never in closed time: the instant just before it is open.
- :meth:`BusinessCalendar.between` is the business time in ``[a, b)`` (negative when ``b < a``),
  so ``between(s, add(s, d)) == d`` for every ``d >= 0``.

Per-date intervals, per-date open time, per-week open time and per-year holiday sets are
cached, and whole weeks are skipped, so the pipeline can call these for many records per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm_bridge.config.sla import CalendarConfig, HolidaySource

_ZERO = timedelta(0)
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
#: Give up after this many consecutive days without open time (a calendar that never opens).
_MAX_CLOSED_DAYS = 3700
_CACHE_LIMIT = 200_000

Interval = tuple[datetime, datetime]


def _aware_utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


class BusinessCalendar:
    """Business time arithmetic for one calendar (build with :meth:`from_config`)."""

    def __init__(
        self,
        *,
        name: str,
        timezone: str,
        weekdays: Iterable[int],
        hours: Iterable[tuple[time, time | None]],
        holidays: Iterable[HolidaySource] = (),
        closed_dates: Iterable[date] = (),
    ) -> None:
        self.name = name
        self.tz = ZoneInfo(timezone)
        self.weekdays = frozenset(weekdays)
        self.hours = tuple(sorted(hours, key=lambda h: h[0]))
        if not self.weekdays or not self.hours:
            raise ValueError(f"calendar {name!r} needs working days and working hours")
        self.holiday_sources = tuple(holidays)
        self.closed_dates = frozenset(closed_dates)
        nominal = _ZERO
        for start, end in self.hours:
            end_dt = datetime.combine(
                date(2000, 1, 1) + (_DAY if end is None else _ZERO), end or time(0)
            )
            nominal += end_dt - datetime.combine(date(2000, 1, 1), start)
        #: The nominal length of one working day (sum of its working-hour ranges).
        self.day_length = nominal
        self._holidays: dict[int, frozenset[date]] = {}
        self._intervals: dict[date, tuple[Interval, ...]] = {}
        self._day_open: dict[date, timedelta] = {}
        self._week_open: dict[date, timedelta] = {}

    @classmethod
    def from_config(cls, config: CalendarConfig) -> BusinessCalendar:
        """Build a calendar from its ``sla.yaml`` entry."""
        return cls(
            name=config.name,
            timezone=config.timezone,
            weekdays=config.weekday_numbers(),
            hours=config.hour_ranges(),
            holidays=config.holidays,
            closed_dates=config.closed_dates,
        )

    # -- days -------------------------------------------------------------------------------

    def holidays_in(self, year: int) -> frozenset[date]:
        """Public holidays (of every configured source) in ``year``; cached per year."""
        found = self._holidays.get(year)
        if found is None:
            import holidays as holidays_lib

            days: set[date] = set()
            for source in self.holiday_sources:
                days.update(
                    holidays_lib.country_holidays(
                        source.country, subdiv=source.subdivision, years=year
                    ).keys()
                )
            found = frozenset(days)
            self._holidays[year] = found
        return found

    def is_working_day(self, day: date) -> bool:
        """True when ``day`` (a local date) is a working weekday and not a holiday or closed."""
        return (
            day.weekday() in self.weekdays
            and day not in self.closed_dates
            and day not in self.holidays_in(day.year)
        )

    def intervals(self, day: date) -> tuple[Interval, ...]:
        """The open intervals of local date ``day`` as aware UTC ``(open, close)`` pairs."""
        found = self._intervals.get(day)
        if found is not None:
            return found
        result: list[Interval] = []
        if self.is_working_day(day):
            for start, end in self.hours:
                s = datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC)
                if end is None:
                    e = datetime.combine(day + _DAY, time(0), tzinfo=self.tz).astimezone(UTC)
                else:
                    e = datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC)
                if e > s:  # a range inside a skipped DST hour can vanish
                    result.append((s, e))
        found = tuple(result)
        if len(self._intervals) > _CACHE_LIMIT:
            self._intervals.clear()
            self._day_open.clear()
            self._week_open.clear()
        self._intervals[day] = found
        return found

    def open_time(self, day: date) -> timedelta:
        """Total open time of local date ``day`` (real elapsed time, so DST-aware)."""
        found = self._day_open.get(day)
        if found is None:
            found = sum((e - s for s, e in self.intervals(day)), _ZERO)
            self._day_open[day] = found
        return found

    def _week(self, monday: date) -> timedelta:
        found = self._week_open.get(monday)
        if found is None:
            found = sum((self.open_time(monday + timedelta(days=i)) for i in range(7)), _ZERO)
            self._week_open[monday] = found
        return found

    def local_date(self, t: datetime) -> date:
        """The calendar-local date of instant ``t``."""
        return t.astimezone(self.tz).date()

    # -- instants ---------------------------------------------------------------------------

    def is_open(self, t: datetime) -> bool:
        """True when instant ``t`` falls inside working time (``[open, close)``)."""
        t = _aware_utc(t, "t")
        return any(s <= t < e for s, e in self.intervals(self.local_date(t)))

    def next_open(self, t: datetime) -> datetime:
        """The earliest open instant at or after ``t`` (``t`` itself when open)."""
        t = _aware_utc(t, "t")
        day = self.local_date(t)
        for _ in range(_MAX_CLOSED_DAYS):
            for s, e in self.intervals(day):
                if e > t:
                    return max(s, t)
            day += _DAY
        raise ValueError(f"calendar {self.name!r} has no open time after {t.isoformat()}")

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant at which ``duration`` of business time has elapsed since
        ``start`` (aware UTC). ``duration`` must not be negative."""
        start = _aware_utc(start, "start")
        if duration < _ZERO:
            raise ValueError(f"business duration must not be negative, got {duration}")
        if duration == _ZERO:
            return start
        remaining = duration
        day = self.local_date(start)
        for s, e in self.intervals(day):
            if e <= start:
                continue
            s = max(s, start)
            if remaining <= e - s:
                return s + remaining
            remaining -= e - s
        day += _DAY
        closed_run = 0
        while True:
            if day.weekday() == 0:
                week = self._week(day)
                if remaining > week:
                    remaining -= week
                    closed_run = closed_run + 7 if week == _ZERO else 0
                    day += _WEEK
                    self._check_run(closed_run, start)
                    continue
            open_today = self.open_time(day)
            if remaining > open_today:
                remaining -= open_today
                closed_run = closed_run + 1 if open_today == _ZERO else 0
                self._check_run(closed_run, start)
                day += _DAY
                continue
            for s, e in self.intervals(day):
                if remaining <= e - s:
                    return s + remaining
                remaining -= e - s
            raise AssertionError("unreachable: open time of the day covers the remainder")

    def _check_run(self, closed_run: int, start: datetime) -> None:
        if closed_run > _MAX_CLOSED_DAYS:
            raise ValueError(f"calendar {self.name!r} has no open time after {start.isoformat()}")

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Business time in ``[a, b)``; negative (``-between(b, a)``) when ``b < a``."""
        a = _aware_utc(a, "a")
        b = _aware_utc(b, "b")
        if b < a:
            return -self.between(b, a)
        first = self.local_date(a)
        last = self.local_date(b)
        if first == last:
            return self._clipped(first, a, b)
        total = self._clipped(first, a, None)
        day = first + _DAY
        while day < last:
            if day.weekday() == 0 and day + _WEEK <= last:
                total += self._week(day)
                day += _WEEK
            else:
                total += self.open_time(day)
                day += _DAY
        return total + self._clipped(last, None, b)

    def _clipped(self, day: date, lo: datetime | None, hi: datetime | None) -> timedelta:
        total = _ZERO
        for s, e in self.intervals(day):
            if lo is not None and lo > s:
                s = lo
            if hi is not None and hi < e:
                e = hi
            if e > s:
                total += e - s
        return total
