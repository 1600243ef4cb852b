"""Wire formats of field values and validation of values written through the API.

Stored values are already in their JSON form: datetimes as ``2024-01-15T10:20:30.000+0000``
(always UTC, so text order is time order), dates as ``YYYY-MM-DD``, numbers and booleans native.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from .errors import SfApiError, bad_request
from .ids import normalise
from .schema import NUMBER_TYPES, STRING_TYPES, FieldDef


def format_datetime(value: datetime) -> str:
    """Salesforce's datetime wire format, in UTC."""
    v = value.astimezone(UTC)
    return v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 / Salesforce datetime (``Z``, ``+0000`` or ``+05:30``) to aware UTC."""
    t = text.strip()
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    if len(t) >= 5 and t[-5] in "+-" and t[-4:].isdigit():
        t = t[:-2] + ":" + t[-2:]
    value = datetime.fromisoformat(t)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_date(value: date) -> str:
    """Salesforce's date wire format."""
    return value.isoformat()


def _deserialize_error(kind: str, value: Any) -> SfApiError:
    token = "VALUE_STRING" if isinstance(value, str) else "VALUE_" + type(value).__name__.upper()
    return bad_request(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {kind} from {token} value {value} or request may be "
        "missing a required field at [line:1, column:1]",
    )


def coerce(f: FieldDef, value: Any) -> Any:
    """Validate and convert a value written to field ``f`` into its stored form."""
    if value is None:
        return None
    t = f.type
    if t in STRING_TYPES:
        if isinstance(value, bool | dict | list):
            raise _deserialize_error("string", value)
        text = str(value) if not isinstance(value, str) else value
        if t in ("id", "reference"):
            return normalise(text) if text else None
        if t == "picklist" and f.restricted and text not in f.picklist:
            raise bad_request(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{f.label}: bad value for restricted picklist field: {text}",
                [f.name],
            )
        if f.length and len(text) > f.length:
            raise bad_request(
                "STRING_TOO_LONG",
                f"{f.label}: data value too large: {text[:40]} (max length={f.length})",
                [f.name],
            )
        return text
    if t in NUMBER_TYPES:
        if isinstance(value, bool):
            raise _deserialize_error("double", value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise _deserialize_error("int" if t == "int" else "double", value) from None
        if t == "int":
            if number != int(number):
                raise _deserialize_error("int", value)
            return int(number)
        return number
    if t == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _deserialize_error("boolean", value)
    if t == "date":
        try:
            return date.fromisoformat(str(value)[:10]).isoformat()
        except ValueError:
            raise _deserialize_error("date", value) from None
    if t == "datetime":
        try:
            return format_datetime(parse_datetime(str(value)))
        except ValueError:
            raise _deserialize_error("datetime", value) from None
    return value


def parse_json_body(raw: bytes) -> Any:
    """Decode a request body, failing like Salesforce on malformed JSON."""
    try:
        return json.loads(raw or b"null")
    except ValueError as exc:
        raise bad_request("JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None
