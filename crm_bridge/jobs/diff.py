"""The diff stage: desired field values against what the CRM holds now.

Only fields whose value really differs (see :func:`crm_bridge.jobs.values.same_value`) become
:class:`~crm_bridge.model.FieldChange` entries; they are grouped per CRM object into
:class:`~crm_bridge.model.RecordUpdate` batches for the write stage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from crm_bridge.jobs.values import same_value
from crm_bridge.model import Crm, FieldChange, RecordRef, RecordUpdate, Value


@dataclass(slots=True)
class Desired:
    """What one CRM record should hold: native field -> (value, reason), plus its current values."""

    ref: RecordRef
    current: Mapping[str, Value]
    fields: dict[str, tuple[Value, str]] = field(default_factory=dict)

    def want(self, name: str, value: Value, reason: str) -> None:
        """Ask for ``name`` to hold ``value`` (the first reason given for a field is kept)."""
        if name not in self.fields:
            self.fields[name] = (value, reason)


def diff(desired: Desired) -> list[FieldChange]:
    """The changes needed to bring the record to the desired values, in field order."""
    changes: list[FieldChange] = []
    for name in sorted(desired.fields):
        value, reason = desired.fields[name]
        before = desired.current.get(name)
        if same_value(before, value):
            continue
        changes.append(FieldChange(desired.ref, name, before, value, reason))
    return changes


def group_updates(changes: Iterable[FieldChange]) -> dict[tuple[Crm, str], list[RecordUpdate]]:
    """Changes grouped into one update per record, per (CRM, object type), in record order."""
    per_record: dict[RecordRef, dict[str, Value]] = defaultdict(dict)
    for change in changes:
        per_record[change.ref][change.field] = change.after
    grouped: dict[tuple[Crm, str], list[RecordUpdate]] = defaultdict(list)
    for ref in sorted(per_record):
        grouped[(ref.crm, ref.object_type)].append(RecordUpdate(ref, per_record[ref]))
    return dict(grouped)


def index_changes(changes: Iterable[FieldChange]) -> Mapping[RecordRef, list[FieldChange]]:
    """Changes per record (the write stage audits per record and field)."""
    out: dict[RecordRef, list[FieldChange]] = defaultdict(list)
    for change in changes:
        out[change.ref].append(change)
    return out
