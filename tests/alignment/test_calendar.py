"""Business calendar: explicit cases (holidays, split hours, DST) and property tests."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_bridge.alignment.calendar import BusinessCalendar
from crm_bridge.config.sla import CalendarConfig

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
H = timedelta(hours=1)

US = BusinessCalendar.from_config(
    CalendarConfig(
        name="us",
        timezone="America/New_York",
        working_hours=["09:00-12:30", "13:30-18:00"],
        holidays=[{"country": "US"}],
        closed_dates=[date(2026, 12, 24)],
    )
)
DE = BusinessCalendar.from_config(
    CalendarConfig(
        name="de",
        timezone="Europe/Berlin",
        working_hours=["08:00-17:00"],
        holidays=[{"country": "DE", "subdivision": "BY"}],
    )
)
UK = BusinessCalendar.from_config(
    CalendarConfig(
        name="uk",
        timezone="Europe/London",
        working_hours=["09:00-17:30"],
        holidays=[{"country": "GB", "subdivision": "ENG"}],
    )
)
ALWAYS = BusinessCalendar.from_config(
    CalendarConfig(
        name="always",
        timezone="Europe/Berlin",
        working_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        working_hours=["00:00-24:00"],
    )
)
NIGHT = BusinessCalendar.from_config(
    CalendarConfig(
        name="night",
        timezone="Europe/Berlin",
        working_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        working_hours=["01:00-04:00", "22:00-24:00"],
    )
)
CALENDARS = [US, DE, UK, ALWAYS, NIGHT]


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)


# -- explicit cases -------------------------------------------------------------------------


def test_results_are_aware_utc() -> None:
    r = US.add(local(NY, 2026, 6, 1, 10), H)
    assert r.tzinfo is UTC
    assert r == local(NY, 2026, 6, 1, 11)


def test_naive_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        US.add(datetime(2026, 6, 1, 10), H)
    with pytest.raises(ValueError, match="negative"):
        US.add(local(NY, 2026, 6, 1, 10), -H)


def test_split_hours_skip_the_lunch_break() -> None:
    # 11:00 + 2h: 11:00-12:30 (1.5h), lunch, 13:30-14:00 (0.5h)
    assert US.add(local(NY, 2026, 6, 1, 11), 2 * H) == local(NY, 2026, 6, 1, 14)
    assert not US.is_open(local(NY, 2026, 6, 1, 12, 45))
    assert US.is_open(local(NY, 2026, 6, 1, 13, 30))
    assert not US.is_open(local(NY, 2026, 6, 1, 18))  # closing instant is closed
    assert US.between(local(NY, 2026, 6, 1, 0), local(NY, 2026, 6, 2, 0)) == 8 * H
    assert US.day_length == 8 * H


def test_ending_exactly_at_close_stays_on_that_day() -> None:
    # Friday 14:00 + 4h ends Friday 18:00, not Monday 09:00
    assert US.add(local(NY, 2026, 6, 5, 14), 4 * H) == local(NY, 2026, 6, 5, 18)


def test_weekend_is_skipped() -> None:
    # Friday 16:00 + 4h: 2h Friday, 2h Monday
    assert US.add(local(NY, 2026, 6, 5, 16), 4 * H) == local(NY, 2026, 6, 8, 11)
    # a lead arriving on Saturday starts Monday 09:00
    assert US.add(local(NY, 2026, 6, 6, 10), 4 * H) == local(NY, 2026, 6, 8, 14)
    assert US.next_open(local(NY, 2026, 6, 6, 10)) == local(NY, 2026, 6, 8, 9)


def test_thanksgiving_and_christmas_us() -> None:
    # Wed 2026-11-25 15:00 + 4h: 3h Wed, Thanksgiving Thu closed, 1h Fri
    assert US.add(local(NY, 2026, 11, 25, 15), 4 * H) == local(NY, 2026, 11, 27, 10)
    assert US.between(local(NY, 2026, 11, 26, 0), local(NY, 2026, 11, 27, 0)) == timedelta(0)
    # Wed 2026-12-23 17:00 + 2h: 1h Wed, 24th closed date, 25th Christmas (Fri), weekend
    assert US.add(local(NY, 2026, 12, 23, 17), 2 * H) == local(NY, 2026, 12, 28, 10)


def test_whit_monday_and_corpus_christi_in_bavaria() -> None:
    # Fri 2026-05-22 16:00 + 2h: 1h Fri, Whit Monday 25th closed, 1h Tue
    assert DE.add(local(BERLIN, 2026, 5, 22, 16), 2 * H) == local(BERLIN, 2026, 5, 26, 9)
    assert not DE.is_working_day(date(2026, 6, 4))  # Corpus Christi (Bavaria)
    assert UK.is_working_day(date(2026, 6, 4))


def test_us_dst_spring_forward_weekend() -> None:
    # Friday 2026-03-06 17:00 EST + 2h -> Monday 2026-03-09 10:00 EDT (14:00 UTC, not 15:00)
    r = US.add(local(NY, 2026, 3, 6, 17), 2 * H)
    assert r == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    assert US.between(local(NY, 2026, 3, 6, 17), r) == 2 * H


def test_us_dst_fall_back_weekend() -> None:
    # Friday 2026-10-30 17:00 EDT + 2h -> Monday 2026-11-02 10:00 EST (15:00 UTC)
    assert US.add(local(NY, 2026, 10, 30, 17), 2 * H) == datetime(2026, 11, 2, 15, tzinfo=UTC)


def test_eu_dst_days_have_23_and_25_hours() -> None:
    assert ALWAYS.open_time(date(2026, 3, 29)) == 23 * H
    assert ALWAYS.open_time(date(2026, 10, 25)) == 25 * H
    start = local(BERLIN, 2026, 3, 29, 0)
    assert ALWAYS.add(start, 23 * H) == local(BERLIN, 2026, 3, 30, 0)
    # 01:00-04:00 on spring-forward day: 02:00-03:00 does not exist, so 2 real hours
    assert NIGHT.open_time(date(2026, 3, 29)) == 4 * H  # 2h night + 2h late evening
    assert NIGHT.open_time(date(2026, 10, 25)) == 6 * H  # 4h night (one repeated) + 2h


def test_eu_working_hours_follow_the_wall_clock_across_dst() -> None:
    # London 09:00 is 09:00 UTC in winter, 08:00 UTC in summer
    fri = local(LONDON, 2026, 3, 27, 17, 30)  # Friday close, before EU DST starts
    assert UK.add(fri, H) == datetime(2026, 3, 30, 9, tzinfo=UTC)  # Mon 10:00 BST


def test_between_is_negative_when_reversed_and_skips_weeks() -> None:
    a = local(NY, 2026, 1, 5, 9)
    b = local(NY, 2027, 1, 4, 9)
    forward = US.between(a, b)
    assert US.between(b, a) == -forward
    working_days = sum(
        US.is_working_day(date(2026, 1, 5) + timedelta(days=i)) for i in range((b - a).days)
    )
    assert forward == working_days * 8 * H
    assert US.add(a, forward) == local(NY, 2026, 12, 31, 18)  # last working day's close


# -- properties -----------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.sampled_from([UTC, NY, BERLIN]),
)
durations = st.integers(min_value=0, max_value=200 * 3600).map(lambda s: timedelta(seconds=s))
calendars = st.sampled_from(CALENDARS)


@settings(max_examples=150, deadline=None)
@given(calendars, instants, durations)
def test_between_inverts_add(cal: BusinessCalendar, start: datetime, d: timedelta) -> None:
    end = cal.add(start, d)
    assert end >= start
    assert cal.between(start, end) == d


@settings(max_examples=150, deadline=None)
@given(calendars, instants, durations.filter(lambda d: d > timedelta(0)))
def test_add_never_lands_in_closed_time(
    cal: BusinessCalendar, start: datetime, d: timedelta
) -> None:
    end = cal.add(start, d)
    # the instant just before the result is open: the result is open or an interval's close
    assert cal.is_open(end - timedelta(microseconds=1))


@settings(max_examples=100, deadline=None)
@given(calendars, instants, durations, durations)
def test_add_is_monotonic_in_duration(
    cal: BusinessCalendar, start: datetime, d1: timedelta, d2: timedelta
) -> None:
    lo, hi = sorted((d1, d2))
    assert cal.add(start, lo) <= cal.add(start, hi)


@settings(max_examples=100, deadline=None)
@given(calendars, instants, instants, durations)
def test_add_is_monotonic_in_start(
    cal: BusinessCalendar, a: datetime, b: datetime, d: timedelta
) -> None:
    lo, hi = sorted((a, b))
    assert cal.add(lo, d) <= cal.add(hi, d)


@settings(max_examples=100, deadline=None)
@given(calendars, instants, instants, instants)
def test_between_is_additive(cal: BusinessCalendar, a: datetime, b: datetime, c: datetime) -> None:
    assert cal.between(a, c) == cal.between(a, b) + cal.between(b, c)


@settings(max_examples=100, deadline=None)
@given(calendars, instants, instants)
def test_add_between_lands_no_later_than_target(
    cal: BusinessCalendar, a: datetime, b: datetime
) -> None:
    a, b = sorted((a, b))
    back = cal.add(a, cal.between(a, b))
    assert back <= b
    assert cal.between(back, b) == timedelta(0)


@settings(max_examples=100, deadline=None)
@given(calendars, instants)
def test_next_open_is_open(cal: BusinessCalendar, t: datetime) -> None:
    n = cal.next_open(t)
    assert n >= t and cal.is_open(n)
    assert cal.between(t, n) == timedelta(0)
