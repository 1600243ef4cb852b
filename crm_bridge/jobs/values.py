"""Comparing field values across representations.

The same value comes back from the CRMs in different shapes: Salesforce returns ``3.0`` for a
number written as ``3``; HubSpot returns every property as a string (``"true"``, ``"42"``,
``"2026-01-05T09:00:00.000Z"``); datetimes lose sub-millisecond precision; an empty field is
``None``, ``""`` or an empty multi-select. :func:`same_value` treats all of these as equal, so
an unchanged value is never written twice and a rerun with no changes writes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from crm_bridge.model import Value


def is_empty(value: object) -> bool:
    """None, an empty string or an empty multi-select."""
    return value is None or value == "" or value == ()


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        text = value.replace("Z", "+00:00")
        if text[-5] in "+-" and text[-3] != ":":  # Salesforce +0000
            text = text[:-2] + ":" + text[-2:]
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 10**11:
        try:
            return datetime.fromtimestamp(value / 1000, UTC)  # epoch milliseconds
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _as_tuple(value: object) -> tuple[str, ...] | None:
    if isinstance(value, tuple | list):
        return tuple(sorted(str(v) for v in value))
    if isinstance(value, str) and ";" in value:
        return tuple(sorted(v for v in value.split(";") if v))
    return None


def same_value(a: Value | object, b: Value | object) -> bool:
    """True when ``a`` and ``b`` are the same field value in any of the CRMs' representations."""
    if isinstance(a, bool) or isinstance(b, bool):  # before ==, since True == 1
        return _as_bool(a) is not None and _as_bool(a) == _as_bool(b)
    if a is b or a == b:
        return True
    if is_empty(a) or is_empty(b):
        return is_empty(a) and is_empty(b)
    if isinstance(a, datetime) or isinstance(b, datetime):
        da, db = _as_datetime(a), _as_datetime(b)
        return da is not None and db is not None and abs((da - db).total_seconds()) < 0.001
    if isinstance(a, date) or isinstance(b, date):
        return str(a)[:10] == str(b)[:10]
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (
            _as_tuple(a) == _as_tuple(b)
            or (_as_tuple(a) is None and isinstance(b, tuple) and (str(a),) == b)
            or (_as_tuple(b) is None and isinstance(a, tuple) and (str(b),) == a)
        )
    na, nb = _as_number(a), _as_number(b)
    if na is not None and nb is not None:
        return abs(na - nb) <= 1e-9 * max(1.0, abs(na), abs(nb))
    da, db = _as_datetime(a), _as_datetime(b)
    if da is not None and db is not None:
        return abs((da - db).total_seconds()) < 0.001
    return False
