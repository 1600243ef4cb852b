"""JSON encoding of field values with type tags, so every :data:`~crm_bridge.model.Value`
round-trips exactly (type and value).

Plain JSON carries ``None``, ``bool``, ``int``, ``str`` and finite ``float``; the rest are
single-key objects with a ``$`` tag (a :data:`Value` is never a dict, so this is unambiguous):

===================  ==========================================================
``{"$d": "..."}``     :class:`datetime.date` (ISO)
``{"$dt": "..."}``    :class:`datetime.datetime` (ISO; aware values normalised to UTC)
``{"$t": [...]}``     ``tuple[str, ...]``
``{"$f": "nan"}``     non-finite float (``nan``, ``inf``, ``-inf``)
===================  ==========================================================

The encoding is canonical (sorted keys, no whitespace), so two equal values of the same type
encode to the same text and can be compared as strings.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from crm_bridge.model import CRMS, Crm, RecordRef, Value

JsonValue = Any


def to_json(value: Value) -> JsonValue:
    """The JSON-compatible form of ``value`` (see the module docstring)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"$f": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, datetime):  # before date: datetime is a date
        if value.tzinfo is not None and value.utcoffset() is not None:
            value = value.astimezone(UTC)
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, tuple):
        if not all(isinstance(item, str) for item in value):
            raise TypeError(f"a tuple value must hold only strings, got {value!r}")
        return {"$t": list(value)}
    raise TypeError(f"cannot store a value of type {type(value).__name__}: {value!r}")


def from_json(data: JsonValue) -> Value:
    """The value :func:`to_json` encoded as ``data``."""
    if data is None or isinstance(data, bool | int | float | str):
        return data
    if isinstance(data, dict) and len(data) == 1:
        ((tag, payload),) = data.items()
        if tag == "$dt":
            return datetime.fromisoformat(payload)
        if tag == "$d":
            return date.fromisoformat(payload)
        if tag == "$t":
            return tuple(str(item) for item in payload)
        if tag == "$f":
            return float(payload)
    raise ValueError(f"not an encoded field value: {data!r}")


def dumps(data: JsonValue) -> str:
    """Canonical JSON text: sorted keys, no whitespace, non-ASCII kept."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def encode_value(value: Value) -> str:
    """``value`` as canonical tagged JSON text."""
    return dumps(to_json(value))


def decode_value(text: str) -> Value:
    """The value :func:`encode_value` wrote as ``text``."""
    return from_json(json.loads(text))


def encode_fields(fields: Mapping[str, Value]) -> dict[str, JsonValue]:
    """A field-name → value mapping in JSON-compatible form."""
    return {name: to_json(value) for name, value in fields.items()}


def decode_fields(data: Mapping[str, JsonValue]) -> dict[str, Value]:
    """The mapping :func:`encode_fields` produced."""
    return {str(name): from_json(value) for name, value in data.items()}


def ref_to_json(ref: RecordRef) -> list[str]:
    """``[crm, object_type, id]``."""
    return [ref.crm, ref.object_type, ref.id]


def ref_from_json(data: JsonValue) -> RecordRef:
    """The ref :func:`ref_to_json` encoded."""
    crm, object_type, record_id = data
    return make_ref(str(crm), str(object_type), str(record_id))


def make_ref(crm: str, object_type: str, record_id: str) -> RecordRef:
    """A :class:`RecordRef` from stored columns, checking the CRM name."""
    if crm not in CRMS:
        raise ValueError(f"unknown CRM {crm!r} in the state store")
    name: Crm = "salesforce" if crm == "salesforce" else "hubspot"
    return RecordRef(name, object_type, record_id)


def stats_to_text(stats: Mapping[str, Any]) -> str:
    """Run statistics as JSON text; they must be JSON-compatible already."""
    try:
        return dumps(dict(stats))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"run stats must be a JSON object of plain values: {exc}") from exc
