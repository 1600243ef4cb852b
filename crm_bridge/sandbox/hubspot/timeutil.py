"""Timestamps as HubSpot formats them: ISO-8601 UTC with milliseconds and `Z`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DIGITS = re.compile(r"^-?\d+$")


def iso(dt: datetime) -> str:
    """Format an aware datetime as `YYYY-MM-DDTHH:MM:SS.mmmZ`."""
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def epoch_ms(dt: datetime) -> int:
    """Milliseconds since the Unix epoch."""
    return int((dt - _EPOCH) / timedelta(milliseconds=1))


def from_epoch_ms(ms: int) -> datetime:
    """An aware UTC datetime from epoch milliseconds."""
    return _EPOCH + timedelta(milliseconds=ms)


def parse_datetime(value: str) -> datetime:
    """Parse epoch-ms or ISO-8601 (naive means UTC); raise ValueError otherwise."""
    text = value.strip()
    if _DIGITS.match(text):
        return from_epoch_ms(int(text))
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(), UTC)
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


@lru_cache(maxsize=400_000)
def sort_ms(value: str) -> int:
    """Epoch ms of a stored datetime/date string (cached; used by search)."""
    return epoch_ms(parse_datetime(value))


def midnight_date(value: str) -> str:
    """Validate a `date` property value (YYYY-MM-DD or midnight epoch ms); return YYYY-MM-DD."""
    dt = parse_datetime(value)
    if dt.time() != time() or dt.tzinfo is None:
        raise ValueError("date values must be midnight UTC")
    return dt.date().isoformat()
