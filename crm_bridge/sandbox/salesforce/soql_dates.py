"""SOQL relative date literals (``TODAY``, ``LAST_N_DAYS:30`` …) as UTC day ranges."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]


def day_range(literal: str, now: datetime) -> tuple[date, date]:
    """``[start, end)`` in days for a relative literal at ``now`` (upper-case literal)."""
    today = now.astimezone(UTC).date()
    name, _, count = literal.partition(":")
    n = int(count) if count else 0
    day = timedelta(days=1)
    ranges = {
        "TODAY": (today, today + day),
        "YESTERDAY": (today - day, today),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_N_DAYS": (today - n * day, today + day),
        "NEXT_N_DAYS": (today + day, today + (n + 1) * day),
        "N_DAYS_AGO": (today - n * day, today - (n - 1) * day),
    }
    return ranges[name]


def bounds(field_type: str, literal: str, now: datetime) -> tuple[str, str]:
    """The range as stored values of a ``date`` or ``datetime`` field."""
    start, end = day_range(literal, now)
    if field_type == "date":
        return start.isoformat(), end.isoformat()
    from .values import format_datetime

    return (
        format_datetime(datetime.combine(start, time(), UTC)),
        format_datetime(datetime.combine(end, time(), UTC)),
    )


def range_predicate(
    get: Callable[[dict[str, Any]], Any], op: str, start: str, end: str
) -> Predicate:
    """``field op RANGE``: ``=`` inside, ``<`` before, ``>`` after (and the mixes)."""
    if op == "=":
        return lambda r: (v := get(r)) is not None and start <= v < end
    if op == "!=":
        return lambda r: (v := get(r)) is None or not start <= v < end
    if op == "<":
        return lambda r: (v := get(r)) is not None and v < start
    if op == "<=":
        return lambda r: (v := get(r)) is not None and v < end
    if op == ">":
        return lambda r: (v := get(r)) is not None and v >= end
    return lambda r: (v := get(r)) is not None and v >= start
