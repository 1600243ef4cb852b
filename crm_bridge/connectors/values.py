"""Parse CRM wire values into typed values and format typed values for writing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from crm_bridge.model import Value

_NUMERIC_SF = frozenset({"int", "long", "double", "currency", "percent"})


def parse_datetime(text: str) -> datetime:
    """ISO-8601 (``Z``, ``+0000`` or ``+00:00``) or epoch milliseconds -> aware UTC."""
    text = text.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000.0, tz=UTC)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_hubspot(raw: str | None, prop_type: str, field_type: str = "") -> Value:
    """A HubSpot property string converted by the property's ``type``/``fieldType``."""
    if raw is None or raw == "":
        return None
    try:
        if prop_type == "number":
            number = float(raw)
            return int(number) if number.is_integer() and "." not in raw else number
        if prop_type == "bool":
            return raw.strip().lower() == "true"
        if prop_type == "datetime":
            return parse_datetime(raw)
        if prop_type == "date":
            if raw.isdigit():
                return parse_datetime(raw).date()
            return date.fromisoformat(raw[:10])
        if prop_type == "enumeration" and field_type == "checkbox":
            return tuple(v for v in raw.split(";") if v)
    except ValueError:
        return raw
    return raw


def format_hubspot(value: Value) -> str:
    """A typed value as HubSpot's string property value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
            f"{value.microsecond // 1000:03d}Z"
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(value)
    return str(value)


def parse_salesforce(raw: object, sf_type: str) -> Value:
    """A Salesforce JSON value converted by the describe ``type``."""
    if raw is None:
        return None
    if isinstance(raw, bool | int | float):
        if sf_type in ("int", "long") and isinstance(raw, float) and raw.is_integer():
            return int(raw)
        return raw
    if not isinstance(raw, str):
        return str(raw)
    try:
        if sf_type == "datetime":
            return parse_datetime(raw)
        if sf_type == "date":
            return date.fromisoformat(raw)
        if sf_type == "multipicklist":
            return tuple(v for v in raw.split(";") if v)
        if sf_type in _NUMERIC_SF:
            number = float(raw)
            return int(number) if sf_type in ("int", "long") else number
    except ValueError:
        return raw
    return raw


def format_salesforce(value: Value) -> object:
    """A typed value as Salesforce JSON."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(value)
    return value


def soql_datetime(value: datetime) -> str:
    """An unquoted SOQL datetime literal in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
