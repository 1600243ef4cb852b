"""Records of one object type: storage, id order for paging, unique-value index, merges."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .timeutil import iso, parse_datetime


@dataclass
class Record:
    """One CRM record; property values are stored as strings."""

    id: int
    props: dict[str, str]
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None = None

    @property
    def archived(self) -> bool:
        """In the recycle bin."""
        return self.archived_at is not None

    def to_api(self, names: list[str], assoc: dict[str, Any] | None = None) -> dict[str, Any]:
        """As the objects API returns it (requested property names; missing ones are null)."""
        out: dict[str, Any] = {
            "id": str(self.id),
            "properties": {n: (self.props.get(n) or None) for n in names},
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
            "archived": self.archived,
        }
        if self.archived_at is not None:
            out["archivedAt"] = iso(self.archived_at)
        if assoc:
            out["associations"] = assoc
        return out

    def to_json(self) -> dict[str, Any]:
        """For persistence."""
        return {
            "id": self.id, "props": self.props, "createdAt": iso(self.created_at), "updatedAt": iso(self.updated_at),
            "archivedAt": iso(self.archived_at) if self.archived_at else None,
        }  # fmt: skip

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Record:
        """Inverse of `to_json`."""
        return cls(int(d["id"]), dict(d["props"]), parse_datetime(d["createdAt"]), parse_datetime(d["updatedAt"]),
                   parse_datetime(d["archivedAt"]) if d.get("archivedAt") else None)  # fmt: skip


@dataclass
class ObjectTable:
    """All records of one object type, in id order."""

    records: dict[int, Record] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)
    unique: dict[str, dict[str, int]] = field(default_factory=dict)
    merged: dict[int, int] = field(default_factory=dict)
    version: int = 0

    def add(self, rec: Record) -> None:
        """Insert a record (ids must increase)."""
        if self.order and rec.id <= self.order[-1]:
            self.order.insert(bisect_right(self.order, rec.id), rec.id)
        else:
            self.order.append(rec.id)
        self.records[rec.id] = rec
        self.version += 1

    def remove(self, rid: int) -> None:
        """Delete a record entirely (used by merge)."""
        rec = self.records.pop(rid)
        self.order.pop(bisect_right(self.order, rid) - 1)
        for name, idx in self.unique.items():
            val = rec.props.get(name)
            if val and idx.get(val.lower()) == rid:
                del idx[val.lower()]
        self.version += 1

    def resolve(self, rid: int) -> int:
        """Follow merges to the surviving id."""
        seen = 0
        while rid in self.merged and seen < 100:
            rid = self.merged[rid]
            seen += 1
        return rid

    def lookup_unique(self, name: str, value: str) -> int | None:
        """Id of the record holding this unique value (case-insensitive)."""
        return self.unique.get(name, {}).get(value.lower())

    def index(self, rec: Record, name: str, old: str | None) -> None:
        """Update the unique index for one property."""
        idx = self.unique.setdefault(name, {})
        if old and idx.get(old.lower()) == rec.id:
            del idx[old.lower()]
        new = rec.props.get(name)
        if new and not rec.archived:
            idx.setdefault(new.lower(), rec.id)

    def reindex(self, name: str) -> None:
        """Build the unique index for a property from scratch."""
        idx: dict[str, int] = {}
        for rid in self.order:
            rec = self.records[rid]
            val = rec.props.get(name)
            if val and not rec.archived:
                idx.setdefault(val.lower(), rid)
        self.unique[name] = idx

    def page(self, after: int, archived: bool) -> Iterator[Record]:
        """Records with id > after, in id order, archived or live."""
        order = self.order
        for i in range(bisect_right(order, after), len(order)):
            rec = self.records[order[i]]
            if rec.archived == archived:
                yield rec

    def live(self) -> Iterator[Record]:
        """All records not in the recycle bin."""
        return (r for r in self.records.values() if r.archived_at is None)
