"""Export the field changes a run planned (dry run) or applied (from its audit) as CSV or JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from crm_bridge.model import FieldChange, Value
from crm_bridge.state.store import StateStore

COLUMNS = ("record", "crm", "object", "id", "field", "before", "after", "reason")


def render_value(value: Value) -> str:
    """A value as text for tables and CSV (empty string for nothing)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def change_row(change: FieldChange) -> dict[str, str]:
    """One change as a flat row of strings."""
    return {
        "record": str(change.ref),
        "crm": change.ref.crm,
        "object": change.ref.object_type,
        "id": change.ref.id,
        "field": change.field,
        "before": render_value(change.before),
        "after": render_value(change.after),
        "reason": change.reason,
    }


def export_changes(changes: Iterable[FieldChange], path: Path) -> int:
    """Write changes to ``path`` as CSV (``.csv``) or JSON lines (anything else); returns count."""
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        if path.suffix.lower() == ".csv":
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            for change in changes:
                writer.writerow(change_row(change))
                n += 1
        else:
            rows = [change_row(c) for c in changes]
            json.dump(rows, fh, indent=1)
            n = len(rows)
    return n


def applied_changes(store: StateStore, run_id: str) -> Iterator[FieldChange]:
    """The changes ``run_id`` applied, from its audit trail (reason: the run that wrote it)."""
    for entry in store.iter_audit(run_id):
        yield FieldChange(
            entry.ref, entry.field, entry.before, entry.after, f"written by run {run_id}"
        )
